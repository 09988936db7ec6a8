/**
 * Binds the order id to the request's logger, so every line logged about an
 * order (the service's lines, errors, and the closing "request completed"
 * line) carries `orderId`. Taken from the `:id` path parameter or, for
 * POST /orders, from the body; only well-formed ids are bound. With tracing
 * on, the request's span gets the same `orderId`.
 */
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ID_PATTERN } from '@order-fulfillment/contracts';
import { PinoLogger } from 'nestjs-pino';
import type { Observable } from 'rxjs';
import { tagOrderSpan } from './http-tracing';

@Injectable()
export class OrderLogInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<{ params?: Record<string, unknown>; body?: unknown }>();
    const orderId = orderIdOf(req);
    if (orderId) {
      this.logger.assign({ orderId });
      tagOrderSpan(orderId);
    }
    return next.handle();
  }
}

function orderIdOf(req: { params?: Record<string, unknown>; body?: unknown }): string | null {
  const fromPath = req.params?.['id'];
  const fromBody = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>)['orderId'] : undefined;
  const candidate = fromPath ?? fromBody;
  return typeof candidate === 'string' && ID_PATTERN.test(candidate) ? candidate : null;
}
