/**
 * OrderStore against a real PostgreSQL (embedded, or a throw-away database on
 * DATABASE_URL's server), schema built by the migrations.
 */
import { sqlRows, startTestDatabase } from '@order-fulfillment/infra';
import type { TestDatabase } from '@order-fulfillment/infra';
import { createDataSource, migrate, OrderStore, InvalidCursorError } from '../src';
import type { DataSource } from 'typeorm';

jest.setTimeout(60_000);

let db: TestDatabase;
let dataSource: DataSource;
let store: OrderStore;

beforeAll(async () => {
  db = await startTestDatabase('db');
  expect(await migrate(db.url)).toEqual(['Init1764115200001']);
  dataSource = await createDataSource({ url: db.url }).initialize();
  store = new OrderStore(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.stop();
});

const order = (id: string) => ({ orderId: id, paymentId: `pmt-${id}`, items: [{ sku: 'ABC', qty: 1 }], address: { street: '1 St', city: 'X' } });

const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> => sqlRows<T>(db.url, query, params);

describe('migrations', () => {
  it('are idempotent: a second run applies nothing', async () => {
    expect(await migrate(db.url)).toEqual([]);
  });

  it('create the three tables with the agreed columns', async () => {
    const columns = await sql<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_name IN ('orders','payments','events') ORDER BY table_name, ordinal_position`,
    );
    const byTable = (t: string) => columns.filter((c) => c.table_name === t).map((c) => c.column_name);
    expect(byTable('orders')).toEqual(['id', 'state', 'address', 'items', 'payment_id', 'created_at', 'updated_at']);
    expect(byTable('payments')).toEqual(expect.arrayContaining(['payment_id', 'order_id', 'status', 'amount', 'created_at']));
    expect(byTable('events')).toEqual(expect.arrayContaining(['id', 'order_id', 'type', 'payload', 'ts']));
  });
});

describe('OrderStore', () => {
  it('receives an order once, however often it is asked', async () => {
    expect(await store.receiveOrder(order('r1'))).toBe(true);
    expect(await store.receiveOrder(order('r1'))).toBe(false);
    expect(await sql(`SELECT state FROM orders WHERE id = 'r1'`)).toEqual([{ state: 'received' }]);
    expect(await sql(`SELECT count(*)::int AS n FROM events WHERE order_id = 'r1'`)).toEqual([{ n: 1 }]);
  });

  it('records a transition once per dedupe key and bumps updated_at', async () => {
    await store.receiveOrder(order('t1'));
    const [before] = await sql<{ updated_at: Date }>(`SELECT updated_at FROM orders WHERE id = 't1'`);
    expect(await store.recordTransition(order('t1'), 'validated', 'state:validated')).toBe(true);
    expect(await store.recordTransition(order('t1'), 'validated', 'state:validated')).toBe(false);
    const [after] = await sql<{ state: string; updated_at: Date }>(`SELECT state, updated_at FROM orders WHERE id = 't1'`);
    expect(after.state).toBe('validated');
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
    expect(await sql(`SELECT count(*)::int AS n FROM events WHERE order_id = 't1' AND payload->>'state' = 'validated'`)).toEqual([{ n: 1 }]);
  });

  it('a transition creates the row of an order that was never received, so no order is lost', async () => {
    expect(await store.recordTransition(order('lost-1'), 'failed', 'state:failed', { reason: 'deadline_exceeded' })).toBe(true);
    expect(await sql(`SELECT state, payment_id FROM orders WHERE id = 'lost-1'`)).toEqual([{ state: 'failed', payment_id: 'pmt-lost-1' }]);
  });

  it('a transition carries the current address, so a change made before the row existed is not lost', async () => {
    const address = { street: '9 Late St', city: 'Z' };
    await store.recordEvent({ orderId: 'early-1', type: 'address_updated', dedupeKey: 'address_updated:1', payload: { address } }, address);
    await store.receiveOrder({ ...order('early-1'), address: null });
    await store.recordTransition({ ...order('early-1'), address }, 'validated', 'state:validated');
    expect(await sql(`SELECT address FROM orders WHERE id = 'early-1'`)).toEqual([{ address }]);
  });

  it('persists an accepted address with its event', async () => {
    await store.receiveOrder(order('a1'));
    const address = { street: '456 New St', city: 'New City' };
    await store.recordEvent({ orderId: 'a1', type: 'address_updated', dedupeKey: 'address_updated:1', payload: { address } }, address);
    expect(await sql(`SELECT address FROM orders WHERE id = 'a1'`)).toEqual([{ address }]);
  });

  it('charges one payment id once, also under 20 concurrent calls', async () => {
    await store.receiveOrder(order('c1'));
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.charge('pmt-c1', 'c1', 10)));
    expect(outcomes.filter((o) => o.kind === 'charged')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'already_charged')).toHaveLength(19);
    expect(await sql(`SELECT status, amount FROM payments WHERE payment_id = 'pmt-c1'`)).toEqual([{ status: 'charged', amount: '10.00' }]);
    expect(await sql(`SELECT count(*)::int AS n FROM events WHERE order_id = 'c1' AND type = 'payment_charged'`)).toEqual([{ n: 1 }]);
  });

  it('reports a payment id used by another order as a conflict, never a second charge', async () => {
    await store.charge('pmt-shared', 'x1', 10);
    const outcome = await store.charge('pmt-shared', 'x2', 10);
    expect(outcome.kind).toBe('conflict');
    expect(await sql(`SELECT order_id FROM payments WHERE payment_id = 'pmt-shared'`)).toEqual([{ order_id: 'x1' }]);
  });

  it('refunds a charge once', async () => {
    await store.charge('pmt-r', 'rf1', 10);
    const results = await Promise.all(Array.from({ length: 5 }, () => store.refund('pmt-r', 'rf1', 'cancelled')));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.refund('pmt-none', 'rf1', 'cancelled')).toBe(false);
    expect(await sql(`SELECT status FROM payments WHERE payment_id = 'pmt-r'`)).toEqual([{ status: 'refunded' }]);
  });

  it('keeps the audit trail append-only', async () => {
    await store.receiveOrder(order('ao'));
    await expect(sql(`UPDATE events SET type = 'x' WHERE order_id = 'ao'`)).rejects.toThrow(/append-only/);
    await expect(sql(`DELETE FROM events WHERE order_id = 'ao'`)).rejects.toThrow(/append-only/);
  });

  it('lists orders newest first, by state, with a cursor that walks every page once', async () => {
    for (let i = 0; i < 7; i++) await store.receiveOrder(order(`page-${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listOrders({ state: 'received', limit: 3, cursor });
      seen.push(...page.orders.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    const pageIds = seen.filter((id) => id.startsWith('page-'));
    expect(pageIds).toEqual(['page-6', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    expect(new Set(seen).size).toBe(seen.length);
    await expect(store.listOrders({ limit: 3, cursor: '!!not-a-cursor!!' })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
