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
  expect(await migrate(db.url)).toEqual(['Init1764115200001', 'MoneyAndGoods1764115200002', 'Admissions1764115200039', 'AdmissionInOneCall1764115200040']);
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
    expect(byTable('orders')).toEqual(['id', 'state', 'address', 'items', 'payment_id', 'created_at', 'updated_at', 'late', 'refund_owed', 'address_seq']);
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

  it('never moves an ended order back: a step write that lands after the end adds its event, the row stays ended', async () => {
    await store.receiveOrder(order('late-1'));
    expect(await store.recordTransition(order('late-1'), 'cancelled', 'state:cancelled', { reason: 'customer' })).toBe(true);
    const [ended] = await sql(`SELECT state, updated_at FROM orders WHERE id = 'late-1'`);
    // The transitions a cancelled step was still writing when the order concluded.
    expect(await store.recordTransition(order('late-1'), 'paid', 'state:paid')).toBe(false);
    expect(await store.recordTransition(order('late-1'), 'shipping', 'state:shipping')).toBe(false);
    expect(await sql(`SELECT state, updated_at FROM orders WHERE id = 'late-1'`)).toEqual([ended]);
    expect(ended).toMatchObject({ state: 'cancelled' });
    expect(await sql(`SELECT payload->>'state' AS state FROM events WHERE order_id = 'late-1' AND type = 'transition' ORDER BY id`)).toEqual([
      { state: 'received' },
      { state: 'cancelled' },
      { state: 'paid' },
      { state: 'shipping' },
    ]);
  });

  it("a terminal transition is the workflow's last word, even over another end written by a task attempt that was never committed", async () => {
    await store.receiveOrder(order('late-2'));
    expect(await store.recordTransition(order('late-2'), 'failed', 'state:failed', { reason: 'deadline_exceeded' })).toBe(true);
    expect(await store.recordTransition(order('late-2'), 'cancelled', 'state:cancelled', { reason: 'customer' })).toBe(true);
    expect(await sql(`SELECT state FROM orders WHERE id = 'late-2'`)).toEqual([{ state: 'cancelled' }]);
  });

  it('a transition creates the row of an order that was never received, so no order is lost', async () => {
    expect(await store.recordTransition(order('lost-1'), 'failed', 'state:failed', { reason: 'deadline_exceeded' })).toBe(true);
    expect(await sql(`SELECT state, payment_id FROM orders WHERE id = 'lost-1'`)).toEqual([{ state: 'failed', payment_id: 'pmt-lost-1' }]);
  });

  it('a transition carries the current address, so a change made before the row existed is not lost', async () => {
    const address = { street: '9 Late St', city: 'Z' };
    await store.recordEvent({ orderId: 'early-1', type: 'address_updated', dedupeKey: 'address_updated:1', payload: { address } }, { address, addressSeq: 1 });
    await store.receiveOrder({ ...order('early-1'), address: null });
    await store.recordTransition({ ...order('early-1'), address }, 'validated', 'state:validated', {}, { addressSeq: 1 });
    expect(await sql(`SELECT address FROM orders WHERE id = 'early-1'`)).toEqual([{ address }]);
  });

  it('persists an accepted address with its event', async () => {
    await store.receiveOrder(order('a1'));
    const address = { street: '456 New St', city: 'New City' };
    await store.recordEvent({ orderId: 'a1', type: 'address_updated', dedupeKey: 'address_updated:1', payload: { address } }, { address, addressSeq: 1 });
    expect(await sql(`SELECT address FROM orders WHERE id = 'a1'`)).toEqual([{ address }]);
  });

  it('keeps the newest address when two changes are written out of order', async () => {
    await store.receiveOrder(order('a2'));
    const first = { street: '1 First St', city: 'A' };
    const second = { street: '2 Second St', city: 'B' };
    await store.recordEvent({ orderId: 'a2', type: 'address_updated', dedupeKey: 'address_updated:2', payload: {} }, { address: second, addressSeq: 2 });
    await store.recordEvent({ orderId: 'a2', type: 'address_updated', dedupeKey: 'address_updated:1', payload: {} }, { address: first, addressSeq: 1 });
    // A transition written with an older sequence (it was in flight) does not undo the newer address either.
    await store.recordTransition({ ...order('a2'), address: first }, 'validated', 'state:validated', {}, { addressSeq: 1 });
    expect(await sql(`SELECT address, address_seq FROM orders WHERE id = 'a2'`)).toEqual([{ address: second, address_seq: 2 }]);
  });

  it('records a payment as pending once, also under 20 concurrent calls, and charges it once', async () => {
    await store.receiveOrder(order('c1'));
    const begun = await Promise.all(Array.from({ length: 20 }, () => store.beginCharge('pmt-c1', 'c1', 10)));
    expect(new Set(begun.map((p) => p.status))).toEqual(new Set(['pending']));
    const completed = await Promise.all(Array.from({ length: 5 }, () => store.completeCharge('pmt-c1', 'c1', 10)));
    expect(completed.filter((c) => c.completed)).toHaveLength(1);
    expect(completed.map((c) => c.status)).toEqual(Array(5).fill('charged'));
    expect(await sql(`SELECT status, amount FROM payments WHERE payment_id = 'pmt-c1'`)).toEqual([{ status: 'charged', amount: '10.00' }]);
    expect(await sql(`SELECT count(*)::int AS n FROM events WHERE order_id = 'c1' AND type = 'payment_charged'`)).toEqual([{ n: 1 }]);
  });

  it('keeps a payment id with the order that used it first', async () => {
    await store.beginCharge('pmt-shared', 'x1', 10);
    const other = await store.beginCharge('pmt-shared', 'x2', 10);
    expect(other.orderId).toBe('x1');
    expect(await sql(`SELECT order_id FROM payments WHERE payment_id = 'pmt-shared'`)).toEqual([{ order_id: 'x1' }]);
  });

  it('voids a pending payment, so a charge that lands afterwards is not recorded as charged', async () => {
    await store.beginCharge('pmt-v', 'v1', 10);
    expect((await store.voidUnlessCharged('pmt-v', 'v1', 10)).status).toBe('voided');
    expect(await store.completeCharge('pmt-v', 'v1', 10)).toEqual({ completed: false, status: 'voided' });
    // A refund decided before any charge leaves a voided payment behind, which a later charge finds.
    expect((await store.voidUnlessCharged('pmt-v2', 'v2', 10)).status).toBe('voided');
    expect((await store.beginCharge('pmt-v2', 'v2', 10)).status).toBe('voided');
    expect(await sql(`SELECT count(*)::int AS n FROM events WHERE type = 'payment_charged' AND order_id IN ('v1','v2')`)).toEqual([{ n: 0 }]);
  });

  it('refunds a charge once', async () => {
    await store.beginCharge('pmt-r', 'rf1', 10);
    await store.completeCharge('pmt-r', 'rf1', 10);
    expect((await store.voidUnlessCharged('pmt-r', 'rf1', 10)).status).toBe('charged');
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
