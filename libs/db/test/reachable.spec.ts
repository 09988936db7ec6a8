/**
 * initializeWhenReachable against a real PostgreSQL (embedded, or DATABASE_URL's
 * server) reached through a port that answers only once the test lets it:
 * it waits while nothing answers, connects once the database does, ends when
 * told to stop, and gives up at once on a database that refuses.
 */
import { createServer, connect } from 'node:net';
import type { Server } from 'node:net';
import { freePort, startTestDatabase, waitFor } from '@order-fulfillment/infra';
import type { TestDatabase } from '@order-fulfillment/infra';
import { connectionRefusal, createDataSource, initializeWhenReachable } from '../src';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase('db-reachable');
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

/** `url` with its host and port replaced by 127.0.0.1:`port`. */
const via = (url: string, port: number): string => {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
};

/** From now on, connections to `port` reach the database. */
function forward(port: number, url: string): Promise<Server> {
  const target = new URL(url);
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

it('waits while nothing answers, and connects once the database does', async () => {
  const port = await freePort();
  const dataSource = createDataSource({ url: via(db.url, port), poolSize: 1 });
  const waits: number[] = [];
  const connecting = initializeWhenReachable(dataSource, { retryMs: 100, onWait: (_err, attempts) => waits.push(attempts) });
  // Nothing listens yet: the first attempt fails and is reported, and it keeps trying.
  await waitFor('the first failed attempt reported', async () => waits.length > 0, { timeoutMs: 10_000, intervalMs: 20 });
  expect(waits[0]).toBe(1);
  expect(dataSource.isInitialized).toBe(false);
  const server = await forward(port, db.url);
  try {
    await expect(connecting).resolves.toBe(true);
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  } finally {
    await dataSource.destroy();
    server.close();
  }
});

it('ends when told to stop, without connecting', async () => {
  const dataSource = createDataSource({ url: via(db.url, await freePort()), poolSize: 1 });
  let stop = false;
  const waiting = initializeWhenReachable(dataSource, { retryMs: 100, stopped: () => stop });
  setTimeout(() => (stop = true), 300); // while it is waiting between attempts
  await expect(waiting).resolves.toBe(false);
  expect(dataSource.isInitialized).toBe(false);
});

it('gives up at once on a database that answers and refuses (no such database)', async () => {
  const url = new URL(db.url);
  url.pathname = '/no_such_database_reachable_spec';
  const dataSource = createDataSource({ url: url.toString(), poolSize: 1 });
  const started = Date.now();
  const refused: unknown = await initializeWhenReachable(dataSource, { retryMs: 100 }).catch((err: unknown) => err);
  expect(refused).toMatchObject({ code: '3D000' });
  expect(Date.now() - started).toBeLessThan(5_000);
  // What the API and the workers stop with (exit 2).
  expect(connectionRefusal(refused)).toBe('DATABASE_URL: the database refused the connection (database "no_such_database_reachable_spec" does not exist)');
});

it('calls nothing but an answer of the database itself a refusal', async () => {
  const dataSource = createDataSource({ url: via(db.url, await freePort()), poolSize: 1 });
  const unanswered: unknown = await dataSource.initialize().catch((err: unknown) => err);
  expect(unanswered).toMatchObject({ code: 'ECONNREFUSED' });
  expect(connectionRefusal(unanswered)).toBeNull();
  expect(connectionRefusal(new Error('a bug'))).toBeNull();
});
