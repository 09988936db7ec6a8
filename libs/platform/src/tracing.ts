/**
 * OpenTelemetry tracing for every process (ADR 044): on when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, off (nothing registered, nothing
 * loaded) otherwise. Spans leave over OTLP/HTTP with JSON bodies, batched.
 * Every span that belongs to an order gets an `orderId` attribute: taken from
 * the Temporal workflow id the interceptors put on their spans, or set by the
 * code that knows it (the API's request span).
 */
import type { Context, Tracer } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import { orderIdOfWorkflowId } from '@order-fulfillment/contracts';
import { ConfigError } from './env';
import type { Env } from './env';

export interface Tracing {
  tracer: Tracer;
  resource: Resource;
  /** The processor every span goes through (the workflows' spans too, via the exporter sink). */
  spanProcessor: SpanProcessor;
  /** Sends what is still batched and stops. */
  shutdown(): Promise<void>;
}

/** The OTLP endpoint, or null when tracing is off. */
export function otlpEndpoint(env: Env = process.env): string | null {
  const value = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (!value) return null;
  if (!/^https?:\/\/[^/\s]+/.test(value)) {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL such as http://collector:4318, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** Where the spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or `<endpoint>/v1/traces`. */
export function otlpTracesUrl(env: Env, endpoint: string): string {
  return env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim() || `${endpoint}/v1/traces`;
}

let current: Tracing | null = null;

/**
 * Registers the global tracer provider (context manager and W3C propagation
 * included) and returns it; null, with nothing loaded, when tracing is off.
 * One per process: a second call returns the first.
 */
export function startTracing(service: string, env: Env = process.env): Tracing | null {
  const endpoint = otlpEndpoint(env);
  if (!endpoint) return null;
  if (current) return current;
  // Loaded only when on: a process without tracing does not pay for the SDK.
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { trace } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const resource = new Resource({ 'service.name': env['OTEL_SERVICE_NAME']?.trim() || service });
  const spanProcessor = new OrderIdSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(env, endpoint) })));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const started: Tracing = {
    tracer: trace.getTracer(service),
    resource,
    spanProcessor,
    async shutdown() {
      if (current === started) current = null;
      await provider.shutdown();
    },
  };
  current = started;
  return started;
}

/** The running tracing, if any. */
export function currentTracing(): Tracing | null {
  return current;
}

/** Flushes and stops the process's tracing (no-op when off). */
export async function shutdownTracing(): Promise<void> {
  await current?.shutdown();
}

/**
 * Adds `orderId` to a finished span that belongs to an order's workflow (an
 * order's or a shipment's), then hands it on.
 */
export class OrderIdSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(withOrderId(span));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/** The span with `orderId` added when its workflow id names an order and it has none yet. */
export function withOrderId(span: ReadableSpan): ReadableSpan {
  const attributes = span.attributes;
  if (typeof attributes['orderId'] === 'string') return span;
  const workflowId = attributes['temporalWorkflowId'] ?? attributes['workflowId'];
  const orderId = typeof workflowId === 'string' ? orderIdOfWorkflowId(workflowId) : null;
  if (!orderId) return span;
  // A view of the span with one more attribute; the span itself is left as it ended.
  return Object.create(span, { attributes: { value: { ...attributes, orderId }, enumerable: true } }) as ReadableSpan;
}
