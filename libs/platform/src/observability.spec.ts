import { Writable } from 'node:stream';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from './env';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { withLogContext } from './log-context';
import { otlpEndpoint, otlpTracesUrl, startTracing, withOrderId } from './tracing';

describe('tracing configuration', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT: nothing is started', () => {
    expect(otlpEndpoint({})).toBeNull();
    expect(otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeNull();
    expect(startTracing('test', {})).toBeNull();
  });

  it('takes an http(s) endpoint and sends traces to its /v1/traces, or to the traces endpoint when set', () => {
    const endpoint = otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }) as string;
    expect(endpoint).toBe('http://collector:4318');
    expect(otlpTracesUrl({}, endpoint)).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/t' }, endpoint)).toBe('http://other:4318/t');
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(() => otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/);
  });
});

describe('orderId on spans', () => {
  const span = (attributes: Record<string, string>) => ({ name: 'x', attributes }) as unknown as ReadableSpan;

  it('is taken from the order\'s or the shipment\'s workflow id, leaving the span itself unchanged', () => {
    const original = span({ temporalWorkflowId: 'order-o-1' });
    expect(withOrderId(original).attributes).toEqual({ temporalWorkflowId: 'order-o-1', orderId: 'o-1' });
    expect(original.attributes).toEqual({ temporalWorkflowId: 'order-o-1' });
    expect(withOrderId(span({ workflowId: 'shipping-o-2-3' })).attributes['orderId']).toBe('o-2');
    expect(withOrderId(span({ workflowId: 'shipping-o-2-3' })).name).toBe('x');
  });

  it('keeps an orderId already set, and adds none to spans of no order', () => {
    expect(withOrderId(span({ orderId: 'a', temporalWorkflowId: 'order-b' })).attributes['orderId']).toBe('a');
    expect(withOrderId(span({ temporalWorkflowId: 'something-else' })).attributes).toEqual({ temporalWorkflowId: 'something-else' });
  });
});

describe('log context', () => {
  function capture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    return { logger: createLogger('test', { LOG_LEVEL: 'info' }, sink), lines };
  }

  it('adds the order\'s fields to every line inside it, across awaits, and none outside', async () => {
    const { logger, lines } = capture();
    logger.info('before');
    await withLogContext({ orderId: 'o-1', workflowId: 'order-o-1', runId: 'r-1', activity: 'ChargePayment', attempt: 2 }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info({ extra: true }, 'inside');
    });
    logger.info('after');
    expect(lines.map((l) => l['msg'])).toEqual(['before', 'inside', 'after']);
    expect(lines[0]).not.toHaveProperty('orderId');
    expect(lines[1]).toMatchObject({ orderId: 'o-1', workflowId: 'order-o-1', runId: 'r-1', activity: 'ChargePayment', attempt: 2, extra: true });
    expect(lines[2]).not.toHaveProperty('orderId');
  });
});
