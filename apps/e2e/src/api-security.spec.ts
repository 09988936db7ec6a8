/**
 * What makes the API safe to expose, each on an API process started with the
 * setting under test: API key (401), per-client rate limit (429), CORS,
 * structured logs with request and order ids, and graceful shutdown.
 */
import { readFileSync } from 'node:fs';
import { waitFor } from '@order-fulfillment/stack';
import { startApi } from './support/extra-api';
import type { ExtraApi } from './support/extra-api';
import { http, httpAt, uniqueId, waitForOrder } from './support/helpers';

const logLines = (file: string): Array<Record<string, any>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);

describe('API_KEY set', () => {
  let api: ExtraApi;
  const key = `k-${Math.random().toString(36).slice(2)}`;
  beforeAll(async () => {
    api = await startApi('api-key', { API_KEY: key });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('401 without the key or with a wrong one, on every order route; the body says why', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/orders', { orderId: uniqueId('k'), paymentId: 'p' }],
      ['GET', '/orders'],
      ['GET', '/orders/x1'],
      ['POST', '/orders/x1/cancel', {}],
      ['PUT', '/orders/x1/address', { street: 's', city: 'c' }],
      ['POST', '/orders/x1/approve', {}],
      ['GET', '/orders/x1/events'],
      ['GET', '/orders/x1/describe'],
    ];
    for (const [method, path, body] of routes) {
      const missing = await httpAt(api.url, method, path, body);
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('Authorization') });
      for (const header of [`Bearer ${key}x`, `Basic ${key}`, key, 'Bearer ']) {
        expect((await httpAt(api.url, method, path, body, { authorization: header })).status).toBe(401);
      }
    }
  });

  it('the right key gets through', async () => {
    const auth = { authorization: `Bearer ${key}` };
    const orderId = uniqueId('key');
    expect((await httpAt(api.url, 'POST', '/orders', { orderId, paymentId: uniqueId('pmt') }, auth)).status).toBe(201);
    expect((await httpAt(api.url, 'GET', '/orders?limit=1', undefined, auth)).status).toBe(200);
    expect((await httpAt(api.url, 'GET', `/orders/${orderId}/events`, undefined, { authorization: `bearer ${key}` })).status).toBe(200);
  });

  it('health, metrics and docs stay open', async () => {
    for (const path of ['/health/live', '/health/ready', '/metrics', '/docs', '/docs-json']) {
      expect([path, (await fetch(`${api.url}${path}`)).status]).toEqual([path, 200]);
    }
  });
});

describe('rate limit', () => {
  let api: ExtraApi;
  beforeAll(async () => {
    api = await startApi('rate-limit', { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('429 past RATE_LIMIT_MAX requests per window per client, across routes, with Retry-After; health and metrics are not limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await httpAt(api.url, 'GET', i % 2 ? '/orders?limit=1' : `/orders/${uniqueId('rl')}`)).status);
    expect(statuses).toEqual([404, 200, 404, 200, 404]);
    const limited = await httpAt(api.url, 'POST', '/orders', { orderId: uniqueId('rl'), paymentId: 'p' });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('at most 5') });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) {
      expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${api.url}/metrics`)).status).toBe(200);
    }
  });

  it('the main API (default limit) did not throttle the suite', async () => {
    const res = await http('GET', '/orders?limit=1');
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-ratelimit-limit'))).toBeGreaterThanOrEqual(10_000);
  });
});

describe('CORS', () => {
  let api: ExtraApi;
  beforeAll(async () => {
    api = await startApi('cors', { CORS_ORIGINS: 'https://shop.example, https://admin.example' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  const preflight = (base: string, origin: string) =>
    fetch(`${base}/orders`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });

  it('allows the configured origins, with the headers a browser client needs', async () => {
    const res = await preflight(api.url, 'https://admin.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    const get = await fetch(`${api.url}/orders?limit=1`, { headers: { origin: 'https://shop.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(get.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('allows no other origin, and none at all when CORS_ORIGINS is unset', async () => {
    expect((await preflight(api.url, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(process.env['E2E_API_URL'] as string, 'https://shop.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('structured logs and graceful shutdown', () => {
  let api: ExtraApi;
  beforeAll(async () => {
    api = await startApi('logs', { LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('one JSON object per line; the request id is honoured, echoed and on every line of the request, with the order id', async () => {
    const orderId = uniqueId('log');
    const requestId = `e2e-${Math.random().toString(36).slice(2)}`;
    const created = await httpAt(api.url, 'POST', '/orders', { orderId, paymentId: uniqueId('pmt') }, { 'x-request-id': requestId });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe(requestId);
    await waitForOrder(orderId, (o) => o.state === 'completed', 20_000, api.url);
    const cancel = await httpAt(api.url, 'POST', `/orders/${orderId}/cancel`, {});
    expect(cancel.status).toBe(409);
    const generated = cancel.headers.get('x-request-id') as string;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    await waitFor('the request lines in the log', async () => logLines(api.logFile).some((l) => l['reqId'] === generated && l['res']), { timeoutMs: 5_000, intervalMs: 100 });
    const lines = logLines(api.logFile);
    const ofCreate = lines.filter((l) => l['reqId'] === requestId);
    expect(ofCreate.map((l) => l['msg'])).toEqual(expect.arrayContaining(['order started', `POST /orders 201`]));
    for (const line of ofCreate) expect(line).toMatchObject({ service: 'api', orderId, time: expect.any(String), level: expect.any(Number) });
    const ofCancel = lines.filter((l) => l['reqId'] === generated);
    expect(ofCancel.length).toBeGreaterThan(0);
    for (const line of ofCancel) expect(line['orderId']).toBe(orderId);
    // Every line about this order carries its id.
    for (const line of lines.filter((l) => JSON.stringify(l).includes(orderId))) expect(line['orderId']).toBe(orderId);
    // Headers (Authorization) are never logged.
    expect(lines.some((l) => JSON.stringify(l).includes('"headers"'))).toBe(false);
  });

  it('refuses an unsafe incoming request id and makes its own', async () => {
    const res = await httpAt(api.url, 'GET', '/health/live', undefined, { 'x-request-id': 'x'.repeat(200) });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('on SIGTERM: stops taking connections, finishes, closes its connections and exits', async () => {
    const started = Date.now();
    const code = await api.stop();
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const said = (msg: string) => logLines(api.logFile).some((l) => l['msg'] === msg);
    await waitFor('the shutdown lines in the log', async () => said('stopped on SIGTERM'), { timeoutMs: 2_000, intervalMs: 50 });
    expect(said('shutting down on SIGTERM: finishing in-flight requests')).toBe(true);
    await expect(fetch(`${api.url}/health/live`)).rejects.toThrow();
  });
});
