/**
 * The API's part of an order's trace (ADR 044): one SERVER span per request,
 * continuing a caller's W3C `traceparent` when there is one, active while Nest
 * handles the request, so the Temporal client's spans (StartWorkflow, ...)
 * are its children and the workflow's spans follow from there. Named by
 * method and route pattern (never by an id); `orderId` is set by
 * OrderLogInterceptor once the order is known. Installed only when tracing
 * is on (OTEL_EXPORTER_OTLP_ENDPOINT).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The parts of Express's request this uses (path, and the route Nest matched). */
type Req = IncomingMessage & { method: string; path: string; route?: { path?: string } };

export function httpTracing(): (req: Req, res: ServerResponse, next: () => void) => void {
  const tracer = trace.getTracer('order-api-http');
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      `${req.method} ${req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
      parent,
    );
    const active = trace.setSpan(parent, span);
    res.once('finish', () => {
      // The route pattern (/orders/:id), known once Nest routed the request.
      const route = req.route?.path;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    // The request's stream events (body parsing) run in the span's context too.
    context.bind(active, req);
    context.with(active, next);
  };
}

/** Puts `orderId` on the request's span (a no-op when tracing is off). */
export function tagOrderSpan(orderId: string): void {
  trace.getActiveSpan()?.setAttribute('orderId', orderId);
}
