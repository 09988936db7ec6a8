/**
 * What makes the API safe to expose, each on an API process started with the
 * setting under test: authentication on by default (401, keys of 32+
 * characters, rotation), per-client rate limit (429, shared through Redis,
 * X-Forwarded-For believed only from configured proxies), security headers,
 * docs that can be turned off, CORS, structured logs with request and order
 * ids and without the key, and graceful shutdown.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { waitFor } from '@order-fulfillment/stack';
import { apiRefusal, startApi } from './support/extra-api';
import type { ExtraApi } from './support/extra-api';
import { startTcpProxy } from './support/tcp-proxy';
import { http, httpAt, uniqueId, waitForOrder } from './support/helpers';

const logLines = (file: string): Array<Record<string, any>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);

describe('authentication is on unless AUTH_DISABLED=true says otherwise', () => {
  it('refuses to start without a key, saying how to set one (exit 2)', async () => {
    const { code, output } = await apiRefusal('no-key', {});
    expect(code).toBe(2);
    expect(output).toContain('configuration error: API_KEY is required');
    expect(output).toContain('AUTH_DISABLED=true');
  });

  it('refuses a key shorter than 32 characters, without printing it', async () => {
    const short = randomBytes(15).toString('hex') + 'z'; // 31 characters
    const { code, output } = await apiRefusal('short-key', { API_KEY: short });
    expect(code).toBe(2);
    expect(output).toContain('31 characters; at least 32 are required');
    expect(output).not.toContain(short);
  });

  it('refuses TRUST_PROXY=true (any client could choose its rate-limit key)', async () => {
    const { code, output } = await apiRefusal('trust-true', { TRUST_PROXY: 'true', AUTH_DISABLED: 'true' });
    expect(code).toBe(2);
    expect(output).toContain('TRUST_PROXY');
  });
});

describe('API keys (two at once, as during a rotation)', () => {
  let api: ExtraApi;
  const key = randomBytes(24).toString('hex');
  const next = randomBytes(24).toString('base64url');
  beforeAll(async () => {
    api = await startApi('api-key', { API_KEYS: `${key},${next}`, LOG_LEVEL: 'debug' });
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

  it('either key gets through', async () => {
    for (const k of [key, next]) {
      const auth = { authorization: `Bearer ${k}` };
      const orderId = uniqueId('key');
      expect((await httpAt(api.url, 'POST', '/orders', { orderId, paymentId: uniqueId('pmt') }, auth)).status).toBe(201);
      expect((await httpAt(api.url, 'GET', '/orders?limit=1', undefined, auth)).status).toBe(200);
      expect((await httpAt(api.url, 'GET', `/orders/${orderId}/events`, undefined, { authorization: `bearer ${k}` })).status).toBe(200);
    }
  });

  it('health and docs stay open; metrics are on their own port', async () => {
    for (const path of ['/health/live', '/health/ready', '/docs', '/docs-json']) {
      expect([path, (await fetch(`${api.url}${path}`)).status]).toEqual([path, 200]);
    }
    expect((await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404);
    expect((await fetch(api.metricsUrl)).status).toBe(200);
  });

  it('no key, right or wrong, ever reaches the log (at debug level)', async () => {
    await httpAt(api.url, 'GET', '/orders/x1', undefined, { authorization: `Bearer ${key.slice(0, -1)}Q` });
    await httpAt(api.url, 'GET', '/orders?limit=1', undefined, { authorization: `Bearer ${next}` });
    await waitFor('the request lines in the log', async () => readFileSync(api.logFile, 'utf8').includes('/orders?limit=1'), { timeoutMs: 5_000, intervalMs: 100 });
    const log = readFileSync(api.logFile, 'utf8');
    expect(log.length).toBeGreaterThan(0);
    for (const secret of [key, next, key.slice(0, 16), next.slice(0, 16)]) expect(log).not.toContain(secret);
  });
});

describe('rate limit', () => {
  let api: ExtraApi;
  beforeAll(async () => {
    api = await startApi('rate-limit', { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000', TRUST_PROXY: '' });
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
      expect((await fetch(api.metricsUrl)).status).toBe(200);
    }
    // Without TRUST_PROXY, X-Forwarded-For is not believed: a client cannot pick a fresh budget.
    for (let i = 0; i < 5; i++) {
      expect((await httpAt(api.url, 'GET', '/orders?limit=1', undefined, { 'x-forwarded-for': `203.0.113.${i + 1}` })).status).toBe(429);
    }
  });

  it('the default limit limits: 100 requests per 10 s per client', async () => {
    const defaults = await startApi('default-limit', { RATE_LIMIT_MAX: '' });
    try {
      const res = await httpAt(defaults.url, 'GET', '/orders?limit=1');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('100');
    } finally {
      await defaults.stop();
    }
  });
});

describe('rate limit behind a proxy (TRUST_PROXY=1)', () => {
  let api: ExtraApi;
  beforeAll(async () => {
    api = await startApi('trust-proxy', { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000', TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('counts each client by the address the one trusted proxy saw, not by what the client claims further left', async () => {
    const via = (client: string, claimed?: string) => ({ 'x-forwarded-for': claimed ? `${claimed}, ${client}` : client });
    for (let i = 0; i < 3; i++) expect((await httpAt(api.url, 'GET', '/orders?limit=1', undefined, via('198.51.100.1'))).status).toBe(200);
    expect((await httpAt(api.url, 'GET', '/orders?limit=1', undefined, via('198.51.100.1'))).status).toBe(429);
    // The same client claiming other addresses in front is still the same client.
    expect((await httpAt(api.url, 'GET', '/orders?limit=1', undefined, via('198.51.100.1', '192.0.2.50'))).status).toBe(429);
    // Another client has its own budget.
    expect((await httpAt(api.url, 'GET', '/orders?limit=1', undefined, via('198.51.100.2'))).status).toBe(200);
  });
});

describe('rate limit shared by two replicas through Redis (REDIS_URL, 127.0.0.1:6379)', () => {
  const REDIS_URL = process.env['E2E_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const apis: ExtraApi[] = [];
  beforeAll(async () => {
    const { createConnection } = await import('node:net');
    const where = new URL(REDIS_URL);
    const reachable = await new Promise<boolean>((resolve) => {
      const socket = createConnection(Number(where.port || 6379), where.hostname);
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (!reachable) {
      throw new Error(`This test needs Redis at ${REDIS_URL} (set E2E_REDIS_URL to use another); none answers. Start one (apt-get install redis-server; redis-server --daemonize yes).`);
    }
    // A prefix of this run's own, so runs against the same Redis never share counters.
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `e2e-${uniqueId('rl')}:`, RATE_LIMIT_MAX: '6', RATE_LIMIT_WINDOW_MS: '60000' };
    apis.push(await startApi('redis-a', env), await startApi('redis-b', env));
  });
  afterAll(async () => {
    for (const api of apis) await api.stop();
  });

  it('requests to either replica count against one budget', async () => {
    const [a, b] = apis as [ExtraApi, ExtraApi];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await httpAt(i % 2 ? b.url : a.url, 'GET', '/orders?limit=1')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    // Each replica alone has seen 3 of its 6: only a shared store says no now.
    expect((await httpAt(a.url, 'GET', '/orders?limit=1')).status).toBe(429);
    expect((await httpAt(b.url, 'GET', '/orders?limit=1')).status).toBe(429);
  });
});

describe('Redis away at start-up (ADR 053)', () => {
  const REDIS_URL = process.env['E2E_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

  it('the API starts all the same; the rate-limited routes answer 503 until Redis answers, then serve', async () => {
    const where = new URL(REDIS_URL);
    const proxy = await startTcpProxy(where.hostname, Number(where.port || 6379));
    await proxy.cut();
    const proxied = new URL(REDIS_URL);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const api = await startApi('redis-late', { REDIS_URL: proxied.toString(), REDIS_KEY_PREFIX: `e2e-${uniqueId('rl')}:`, RATE_LIMIT_MAX: '100' });
    try {
      const refused = await httpAt(api.url, 'GET', '/orders?limit=1');
      expect([refused.status, refused.body.message]).toEqual([503, expect.stringMatching(/rate limit store/)]);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      await proxy.restore();
      await waitFor('the rate limit store to answer', async () => (await httpAt(api.url, 'GET', '/orders?limit=1')).status === 200, { timeoutMs: 20_000, intervalMs: 250 });
      expect(api.process.child.exitCode).toBeNull();
    } finally {
      await api.stop();
      await proxy.close();
    }
  }, 60_000);

  it('a Redis that answers but refuses the connection stops the start-up, without printing the password (exit 2)', async () => {
    const wrong = new URL(REDIS_URL);
    wrong.username = 'no-such-user-e2e';
    wrong.password = 'not-the-password-e2e';
    const { code, output } = await apiRefusal('redis-refused', { AUTH_DISABLED: 'true', REDIS_URL: wrong.toString() });
    expect(code).toBe(2);
    expect(output).toMatch(/api: configuration error: REDIS_URL: Redis at .* refused the connection/);
    expect(output).not.toContain('not-the-password-e2e');
  }, 30_000);
});

describe('security headers and docs', () => {
  it('every answer carries helmet\'s headers; /docs still works under its Content-Security-Policy', async () => {
    for (const path of ['/orders?limit=1', '/health/live', '/docs', '/nothing']) {
      const res = await http('GET', path);
      expect([path, res.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('DOCS_ENABLED=false: no /docs, no /docs-json', async () => {
    const api = await startApi('no-docs', { DOCS_ENABLED: 'false' });
    try {
      for (const path of ['/docs', '/docs-json']) expect((await httpAt(api.url, 'GET', path)).status).toBe(404);
      expect((await httpAt(api.url, 'GET', '/orders?limit=1')).status).toBe(200);
    } finally {
      await api.stop();
    }
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
