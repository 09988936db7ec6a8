/**
 * admit_order and orders_in_flight (migration 004) against a real PostgreSQL:
 * the admission decision the API makes in one call (ADR 039).
 */
import { Client } from 'pg';
import { sqlRows, startTestDatabase } from '@order-fulfillment/infra';
import type { TestDatabase } from '@order-fulfillment/infra';
import { migrate } from '../src';

jest.setTimeout(60_000);

const DEADLINE_MS = 15_000;
const LOCK_KEY = 390_039;

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase('db-admission');
  await migrate(db.url);
});

afterAll(async () => {
  await db?.stop();
});

beforeEach(async () => {
  await sql(`TRUNCATE admissions`);
  await sql(`DELETE FROM orders`);
});

const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> => sqlRows<T>(db.url, query, params);

interface Decision {
  known: boolean;
  in_flight: number | null;
  admitted: boolean;
}

/** One admit_order call on its own connection, as each API request makes it. */
async function admit(orderId: string, limit: number, lockWait = '1000ms'): Promise<Decision> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<Decision>(`SELECT known, in_flight, admitted FROM admit_order($1, $2, $3, $4, $5)`, [orderId, DEADLINE_MS, limit, LOCK_KEY, lockWait]);
    return rows[0]!;
  } finally {
    await client.end();
  }
}

const insertOrder = (id: string, state: string, { createdSecondsAgo = 0, refundOwed = false } = {}) =>
  sql(
    `INSERT INTO orders (id, state, address, items, payment_id, refund_owed, created_at)
     VALUES ($1, $2, '{}'::jsonb, '[]'::jsonb, $3, $4, now() - make_interval(secs => $5))`,
    [id, state, `pmt-${id}`, refundOwed, createdSecondsAgo],
  );

const inFlight = async () => Number((await sql<{ n: string }>(`SELECT orders_in_flight($1) AS n`, [DEADLINE_MS]))[0]!.n);

describe('orders_in_flight', () => {
  it('counts open orders within the deadline and admitted orders not yet recorded, and nothing else', async () => {
    await insertOrder('open', 'paid');
    await insertOrder('done', 'completed');
    await insertOrder('owing', 'cancelled', { refundOwed: true });
    await insertOrder('open-owing', 'shipping', { refundOwed: true });
    await insertOrder('too-old', 'paid', { createdSecondsAgo: 20 });
    await sql(`INSERT INTO admissions (order_id) VALUES ('admitted-only'), ('open')`);
    await sql(`INSERT INTO admissions (order_id, admitted_at) VALUES ('admitted-long-ago', now() - interval '20 seconds')`);
    // open (once, though it has an admission row) + admitted-only.
    expect(await inFlight()).toBe(2);
    const [oldest] = await sql<{ ms: number }>(`SELECT orders_in_flight_oldest_ms($1) AS ms`, [DEADLINE_MS]);
    expect(oldest!.ms).toBeGreaterThanOrEqual(0);
    expect(oldest!.ms).toBeLessThan(DEADLINE_MS);
  });

  it('is zero with nothing in flight, and the oldest age is null', async () => {
    expect(await inFlight()).toBe(0);
    expect((await sql<{ ms: number | null }>(`SELECT orders_in_flight_oldest_ms($1) AS ms`, [DEADLINE_MS]))[0]!.ms).toBeNull();
  });
});

describe('admit_order', () => {
  it('admits under the limit and records the admission', async () => {
    await insertOrder('a', 'paid');
    expect(await admit('new-1', 2)).toEqual({ known: false, in_flight: 1, admitted: true });
    expect(await sql(`SELECT order_id FROM admissions`)).toEqual([{ order_id: 'new-1' }]);
  });

  it('refuses at the limit and records nothing', async () => {
    await insertOrder('a', 'paid');
    await insertOrder('b', 'validated');
    expect(await admit('new-1', 2)).toEqual({ known: false, in_flight: 2, admitted: false });
    expect(await sql(`SELECT order_id FROM admissions`)).toEqual([]);
  });

  it('answers known for an order already recorded or admitted, at any count, without a second admission', async () => {
    await insertOrder('recorded', 'paid');
    await sql(`INSERT INTO admissions (order_id) VALUES ('admitted')`);
    expect(await admit('recorded', 0)).toEqual({ known: true, in_flight: null, admitted: false });
    expect(await admit('admitted', 0)).toEqual({ known: true, in_flight: null, admitted: false });
    expect(await sql(`SELECT order_id FROM admissions ORDER BY order_id`)).toEqual([{ order_id: 'admitted' }]);
  });

  it('admits exactly the limit out of concurrent calls on separate connections', async () => {
    const decisions = await Promise.all(Array.from({ length: 16 }, (_, i) => admit(`burst-${i}`, 5)));
    expect(decisions.filter((d) => d.admitted)).toHaveLength(5);
    expect(decisions.filter((d) => !d.admitted).every((d) => d.in_flight === 5)).toBe(true);
    expect(await inFlight()).toBe(5);
  });

  it('gives up with lock_not_available (55P03) when the lock is held longer than its wait, and releases the lock with its transaction', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await expect(admit('waits', 5, '100ms')).rejects.toMatchObject({ code: '55P03' });
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    expect(await sql(`SELECT order_id FROM admissions`)).toEqual([]);
    // The failed call's transaction ended: the lock is free for the next one.
    expect((await admit('next', 5, '100ms')).admitted).toBe(true);
  });
});
