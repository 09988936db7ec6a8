/**
 * What a client sees when a dependency goes away: an API process whose
 * PostgreSQL and Temporal are reached through TCP proxies that the test cuts
 * and restores. Every answer is a 503 with Retry-After (never a 500), nothing
 * half-done is left behind, /health/ready says which check failed without the
 * error's hosts or users, and the API serves again once the dependency is back.
 * An API started while both are down comes up all the same (ADR 053): alive,
 * not ready, 503 on the order routes, and serving once they answer, without a
 * restart; a database that refuses the connection stops it with one line.
 * Also the metrics port: counts cached between scrapes, and a count that the
 * database cannot answer in time is cancelled by PostgreSQL, not left running.
 */
import { Client } from 'pg';
import { waitFor } from '@order-fulfillment/stack';
import { apiRefusal, startApi } from './support/extra-api';
import type { ExtraApi } from './support/extra-api';
import { databaseUrl, httpAt, sql, temporalAddress, uniqueId, waitForOrder } from './support/helpers';
import { startTcpProxy } from './support/tcp-proxy';
import type { TcpProxy } from './support/tcp-proxy';

function expect503(res: { status: number; body: any; headers: Headers }, dependency: RegExp): void {
  expect([res.status, res.body?.message]).toEqual([503, expect.stringMatching(dependency)]);
  expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres:|at .*\.js:\d+/);
}

/**
 * An API whose PostgreSQL and Temporal are reached through proxies the test
 * can cut and restore; `cut` starts it with both already cut (alive, not ready).
 */
async function startProxiedApi(name: string, { cut = false } = {}): Promise<{ api: ExtraApi; pgProxy: TcpProxy; temporalProxy: TcpProxy }> {
  const db = new URL(databaseUrl());
  const [temporalHost, temporalPort] = temporalAddress().split(':') as [string, string];
  const pgProxy = await startTcpProxy(db.hostname, Number(db.port || 5432));
  const temporalProxy = await startTcpProxy(temporalHost, Number(temporalPort));
  if (cut) await Promise.all([pgProxy.cut(), temporalProxy.cut()]);
  db.hostname = '127.0.0.1';
  db.port = String(pgProxy.port);
  const targets = { databaseUrl: db.toString(), temporalAddress: `127.0.0.1:${temporalProxy.port}` };
  return { api: await startApi(name, { ORDER_REVIEW_MS: '0' }, targets, cut ? 'live' : 'ready'), pgProxy, temporalProxy };
}

describe('outages: PostgreSQL and Temporal go away and come back', () => {
  let pgProxy: TcpProxy;
  let temporalProxy: TcpProxy;
  let api: ExtraApi;
  beforeAll(async () => {
    ({ api, pgProxy, temporalProxy } = await startProxiedApi('outages'));
  });
  afterAll(async () => {
    await api?.stop();
    await pgProxy?.close();
    await temporalProxy?.close();
  });

  it('the database down: 503 with Retry-After on every route that reads it; /health/ready names the check, not the error', async () => {
    const running = uniqueId('out');
    expect((await httpAt(api.url, 'POST', '/orders', { orderId: running, paymentId: uniqueId('pmt') })).status).toBe(201);
    await waitForOrder(running, (o) => o.state === 'completed', 20_000, api.url);
    await pgProxy.cut();
    try {
      const orderId = uniqueId('out');
      expect503(await httpAt(api.url, 'POST', '/orders', { orderId, paymentId: uniqueId('pmt') }), /database/);
      expect503(await httpAt(api.url, 'GET', '/orders?limit=1'), /database/);
      expect503(await httpAt(api.url, 'GET', `/orders/${running}/events`), /database/);
      expect503(await httpAt(api.url, 'GET', `/orders/${running}`), /database/);
      const ready = await httpAt(api.url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.database).toEqual({ status: 'down', message: 'unavailable' });
      expect(JSON.stringify(ready.body)).not.toMatch(/127\.0\.0\.1|ECONN|postgres|password|user/i);
      // Nothing was started for the refused order.
      expect((await httpAt(api.url, 'GET', `/orders/${orderId}/describe`)).status).toBe(404);
    } finally {
      await pgProxy.restore();
    }
    await waitFor('the API to read the database again', async () => (await httpAt(api.url, 'GET', '/health/ready')).status === 200, { timeoutMs: 20_000, intervalMs: 200 });
    const orderId = uniqueId('out');
    expect((await httpAt(api.url, 'POST', '/orders', { orderId, paymentId: uniqueId('pmt') })).status).toBe(201);
    await waitForOrder(orderId, (o) => o.state === 'completed', 20_000, api.url);
  });

  it('Temporal down: 503 with Retry-After on start, describe and live reads; the same POST succeeds once it is back', async () => {
    const closed = uniqueId('out');
    expect((await httpAt(api.url, 'POST', '/orders', { orderId: closed, paymentId: uniqueId('pmt') })).status).toBe(201);
    await waitForOrder(closed, (o) => o.state === 'completed', 20_000, api.url);
    const order = { orderId: uniqueId('out'), paymentId: uniqueId('pmt') };
    await temporalProxy.cut();
    try {
      expect503(await httpAt(api.url, 'POST', '/orders', order), /Temporal/);
      expect503(await httpAt(api.url, 'GET', `/orders/${closed}/describe`), /Temporal/);
      expect503(await httpAt(api.url, 'GET', `/orders/${uniqueId('nope')}/events`), /Temporal/);
      // A closed order is still read from the database.
      expect((await httpAt(api.url, 'GET', `/orders/${closed}`)).status).toBe(200);
      const ready = await httpAt(api.url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.temporal.message).toMatch(/^(unavailable|no answer in 2000 ms)$/);
      expect(await sql('SELECT id FROM orders WHERE id = $1', [order.orderId])).toEqual([]);
    } finally {
      await temporalProxy.restore();
    }
    // Retrying the very same request is safe: 201 if the first never started, 200 if it did.
    let retried: { status: number } = { status: 0 };
    await waitFor('Temporal to answer the API again', async () => [200, 201].includes((retried = await httpAt(api.url, 'POST', '/orders', order)).status), { timeoutMs: 30_000, intervalMs: 500 });
    expect([200, 201]).toContain(retried.status);
    await waitForOrder(order.orderId, (o) => o.state === 'completed', 20_000, api.url);
    expect(await sql('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [order.orderId])).toEqual([{ n: 1 }]);
  }, 120_000);
});

describe('an API started while PostgreSQL and Temporal are down (ADR 053)', () => {
  let pgProxy: TcpProxy;
  let temporalProxy: TcpProxy;
  let api: ExtraApi;
  beforeAll(async () => {
    ({ api, pgProxy, temporalProxy } = await startProxiedApi('cold-start', { cut: true }));
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    await pgProxy?.close();
    await temporalProxy?.close();
  });

  it('is alive and answers 503 until they answer, then serves orders without a restart', async () => {
    const ready = await httpAt(api.url, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.database).toEqual({ status: 'down', message: 'unavailable' });
    expect(ready.body.error.temporal.status).toBe('down');
    const order = { orderId: uniqueId('cold'), paymentId: uniqueId('pmt') };
    expect503(await httpAt(api.url, 'POST', '/orders', order), /database/);
    expect503(await httpAt(api.url, 'GET', '/orders?limit=1'), /database/);
    expect503(await httpAt(api.url, 'GET', `/orders/${order.orderId}`), /database/);
    expect503(await httpAt(api.url, 'POST', `/orders/${order.orderId}/cancel`, { reason: 'x' }), /database/);
    // The Temporal view reads no database: it says Temporal is the one missing.
    expect503(await httpAt(api.url, 'GET', `/orders/${order.orderId}/describe`), /Temporal/);

    await pgProxy.restore();
    await temporalProxy.restore();
    await waitFor('the API to become ready', async () => (await httpAt(api.url, 'GET', '/health/ready')).status === 200, { timeoutMs: 30_000, intervalMs: 250 });
    expect(api.process.child.exitCode).toBeNull(); // the same process: it was never restarted
    expect((await httpAt(api.url, 'POST', '/orders', order)).status).toBe(201);
    await waitForOrder(order.orderId, (o) => o.state === 'completed', 20_000, api.url);
    expect(await sql('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [order.orderId])).toEqual([{ n: 1 }]);
  }, 90_000);

  it('a database that answers but refuses the connection stops the start-up, saying so in one line (exit 2)', async () => {
    const missing = new URL(databaseUrl());
    missing.pathname = `/${uniqueId('no_such_db').replace(/-/g, '_')}`;
    const { code, output } = await apiRefusal('db-refused', { AUTH_DISABLED: 'true' }, { databaseUrl: missing.toString() });
    expect(code).toBe(2);
    expect(output).toMatch(/api: configuration error: DATABASE_URL: the database refused the connection \(database ".*" does not exist\)/);
  }, 30_000);
});

describe('metrics on their own port', () => {
  let api: ExtraApi;
  beforeAll(async () => {
    api = await startApi('metrics', { METRICS_CACHE_MS: '60000' });
  });
  afterAll(async () => {
    await api?.stop();
  });
  const completed = async (): Promise<number> => Number(/^orders\{state="completed"\} (\d+)$/m.exec(await (await fetch(api.metricsUrl)).text())?.[1]);

  it('the API port has no /metrics; the counts are cached between scrapes (METRICS_CACHE_MS)', async () => {
    expect((await httpAt(api.url, 'GET', '/metrics')).status).toBe(404);
    const first = await completed();
    const orderId = uniqueId('met');
    expect((await httpAt(api.url, 'POST', '/orders', { orderId, paymentId: uniqueId('pmt') })).status).toBe(201);
    await waitForOrder(orderId, (o) => o.state === 'completed', 20_000, api.url);
    const inDb = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE state = 'completed'`))[0]!.n;
    expect(inDb).toBeGreaterThan(first);
    // Within the cache period every scrape answers from the first count.
    for (let i = 0; i < 5; i++) expect(await completed()).toBe(first);
    expect((await fetch(api.metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });
});

describe('a metrics count the database cannot answer in time', () => {
  let api: ExtraApi;
  beforeAll(async () => {
    api = await startApi('metrics-timeout', { METRICS_CACHE_MS: '0' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('is cancelled by PostgreSQL (statement_timeout): the scrape says orders_scrape_success 0 and no count is left waiting', async () => {
    const locker = new Client({ connectionString: databaseUrl() });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const text = await (await fetch(api.metricsUrl)).text();
      expect(text).toMatch(/^orders_scrape_success 0$/m);
      expect(Date.now() - started).toBeLessThan(10_000);
      // Still holding the lock: a count that was merely abandoned would still be waiting on it.
      const waiting = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'api' AND query LIKE 'SELECT state, count(*)%' AND state = 'active'`,
      );
      expect(waiting).toEqual([{ n: 0 }]);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    expect(await (await fetch(api.metricsUrl)).text()).toMatch(/^orders_scrape_success 1$/m);
  });
});
