/**
 * Every error leaves the API as JSON `{ statusCode, error, message, errors? }`.
 * Unexpected errors are logged with their stack and answered with a generic
 * 500: a stack trace never reaches a client.
 */
import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    const { status, body } = toHttp(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(status).json(body);
  }
}

export function toHttp(exception: unknown): { status: number; body: Record<string, unknown> } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const raw = exception.getResponse();
    const body: Record<string, unknown> = { statusCode: status, error: STATUS_CODES[status] ?? 'Error' };
    if (typeof raw === 'string') body['message'] = raw;
    else Object.assign(body, raw, { statusCode: status });
    return { status, body };
  }
  // body-parser errors (malformed JSON, too large) carry a status of their own.
  const err = exception as { status?: number; type?: string; message?: string };
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    const message = err.type === 'entity.parse.failed' ? 'body: malformed JSON' : err.type === 'entity.too.large' ? 'body: too large' : (err.message ?? 'bad request');
    return { status: err.status, body: { statusCode: err.status, error: STATUS_CODES[err.status] ?? 'Error', message } };
  }
  return { status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' } };
}
