/**
 * Where a missed order's time went, read from a real PostgreSQL with the
 * project's schema: its events in the order they were written, each in
 * seconds from the order's POST, transitions by state and the rest by type.
 */
import { Client } from 'pg';
import { migrate } from '@order-fulfillment/db';
import { startTestDatabase } from '@order-fulfillment/stack';
import type { TestDatabase } from '@order-fulfillment/stack';
import { traceOrders } from './run';

jest.setTimeout(90_000);

let database: TestDatabase;
let db: Client;

beforeAll(async () => {
  database = await startTestDatabase('bench_trace');
  await migrate(database.url);
  db = new Client({ connectionString: database.url });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await database?.stop();
});

const POSTED = Date.parse('2026-12-05T10:00:00.000Z');
const at = (seconds: number) => new Date(POSTED + seconds * 1000).toISOString();

async function order(id: string, state: string, events: Array<[type: string, stateOrNull: string | null, seconds: number]>): Promise<void> {
  await db.query(`INSERT INTO orders (id, state, address, items, payment_id) VALUES ($1, $2, NULL, '[{"sku":"ABC","qty":1}]', $3)`, [id, state, `pmt-${id}`]);
  for (const [i, [type, s, seconds]] of events.entries()) {
    await db.query(`INSERT INTO events (order_id, type, payload, ts, dedupe_key) VALUES ($1, $2, $3, $4, $5)`, [id, type, JSON.stringify(s ? { state: s } : {}), at(seconds), `${type}:${i}`]);
  }
}

describe('traceOrders', () => {
  it('lists each missed order with its state and its events in seconds from its POST', async () => {
    await order('late-1', 'completed', [
      ['transition', 'received', 0.3],
      ['transition', 'paid', 4.26],
      ['dispatch_failed', null, 9],
      ['shipment_resumed', null, 12.5],
      ['transition', 'completed', 18.94],
    ]);
    await order('failed-1', 'failed', [
      ['transition', 'received', 0.2],
      ['transition', 'failed', 15.1],
    ]);

    const traces = await traceOrders(db, [
      { orderId: 'late-1', postedAt: POSTED, latencyMs: 18_940 },
      { orderId: 'failed-1', postedAt: POSTED, latencyMs: null },
    ]);

    expect(traces).toEqual([
      {
        orderId: 'late-1',
        state: 'completed',
        latencyMs: 18_940,
        events: ['received +0.3s', 'paid +4.3s', 'dispatch_failed +9.0s', 'shipment_resumed +12.5s', 'completed +18.9s'],
      },
      { orderId: 'failed-1', state: 'failed', latencyMs: null, events: ['received +0.2s', 'failed +15.1s'] },
    ]);
  });

  it('reads at most the limit it is given, and nothing for no misses', async () => {
    expect(await traceOrders(db, [])).toEqual([]);
    const two = await traceOrders(db, [
      { orderId: 'late-1', postedAt: POSTED, latencyMs: 18_940 },
      { orderId: 'failed-1', postedAt: POSTED, latencyMs: null },
    ], 1);
    expect(two.map((t) => t.orderId)).toEqual(['late-1']);
  });
});
