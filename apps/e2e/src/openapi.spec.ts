/**
 * The OpenAPI document lists every route the app serves, and nothing else:
 * the real AppModule (from the build) runs in-process against the suite's
 * Temporal and PostgreSQL, and its Express router is compared with
 * /docs-json. The same app shows /health/ready going 503 when its database
 * goes away, without leaking a stack.
 */
import { join } from 'node:path';
import { repoRoot } from '@order-fulfillment/stack';
import { databaseUrl, temporalAddress } from './support/helpers';

/* eslint-disable @typescript-eslint/no-explicit-any */
const dist = (file: string) => require(join(repoRoot(), 'apps', 'api', 'dist', file));

let app: any;
let url: string;

beforeAll(async () => {
  const { createApp } = dist('app.js');
  const { loadApiConfig } = dist('config/api-config.js');
  // No metrics server (METRICS_PORT=0): metrics are not a route of the app.
  app = await createApp(loadApiConfig({ DATABASE_URL: databaseUrl(), TEMPORAL_ADDRESS: temporalAddress(), LOG_LEVEL: 'silent', AUTH_DISABLED: 'true', METRICS_PORT: '0' }));
  await app.listen(0, '127.0.0.1');
  url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
});

/**
 * `GET /orders/:id` for every route in the Express router, leaving out the
 * docs' own routes and `/{*path}`, where Nest mounts middleware (the request
 * logger's context) for every method.
 */
function servedRoutes(): string[] {
  const express = app.getHttpAdapter().getInstance();
  const stack: any[] = (express.router ?? express._router).stack;
  return stack
    .filter((layer) => layer.route && !String(layer.route.path).startsWith('/docs') && layer.route.path !== '/{*path}')
    .flatMap((layer) =>
      Object.entries(layer.route.methods as Record<string, boolean>)
        .filter(([method, on]) => on && method !== '_all')
        .map(([method]) => `${method.toUpperCase()} ${layer.route.path}`),
    );
}

describe('the OpenAPI document', () => {
  it('lists every route the app serves, and only those', async () => {
    const doc = (await (await fetch(`${url}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    const served = servedRoutes();
    expect(served.length).toBeGreaterThanOrEqual(10);
    expect([...new Set(documented)].sort()).toEqual([...new Set(served)].sort());
    // The surface SPEC §4 names; its /metrics is served on METRICS_PORT, outside this router (api-outages.spec).
    expect(served).toEqual(
      expect.arrayContaining([
        'POST /orders',
        'GET /orders',
        'GET /orders/:id',
        'POST /orders/:id/cancel',
        'PUT /orders/:id/address',
        'POST /orders/:id/approve',
        'GET /orders/:id/events',
        'GET /orders/:id/describe',
        'GET /health/live',
        'GET /health/ready',
      ]),
    );
  });

  it('documents each operation with a summary, its error answers and the bearer scheme', async () => {
    const doc = (await (await fetch(`${url}/docs-json`)).json()) as any;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (path.startsWith('/orders')) {
          expect([where, Object.keys(op.responses).sort()]).toEqual([where, expect.arrayContaining(['401', '429', '503'])]);
          expect([where, op.summary]).toEqual([where, expect.any(String)]);
          if (path.includes('{id}')) expect([where, op.responses['404']]).toEqual([where, expect.anything()]);
        }
      }
    }
    const create = doc.paths['/orders'].post;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '409', '413', '415']));
    for (const route of ['/orders/{id}/cancel', '/orders/{id}/approve']) expect(Object.keys(doc.paths[route].post.responses)).toContain('504');
    expect(Object.keys(doc.paths['/orders/{id}/address'].put.responses)).toContain('504');
    const schema = doc.components.schemas.CreateOrderDto;
    expect(schema.required).toEqual(['orderId', 'paymentId']);
    expect(schema.properties.orderId.pattern).toBe('^[A-Za-z0-9._-]{1,64}$');
    expect(doc.components.schemas.OrderItemDto.properties.qty).toMatchObject({ minimum: 1, maximum: 1000 });
    expect(schema.properties.items).toMatchObject({ minItems: 1, maxItems: 100 });
  });
});

describe('GET /health/ready without a database', () => {
  it('503 naming the database as down, Temporal up, no stack', async () => {
    const { DATA_SOURCE } = dist('database/database.module.js');
    await app.get(DATA_SOURCE).destroy();
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ status: 'error', error: { database: { status: 'down' } }, info: { temporal: { status: 'up' } } });
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.js:\d+/);
    expect(body.error.database.message).toBe('unavailable');
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });
});
