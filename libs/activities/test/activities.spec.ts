/**
 * The real activities against a real PostgreSQL, run in Temporal's
 * MockActivityEnvironment (which supplies the activity context: attempt,
 * cancellation). Nothing here is mocked but the Temporal server.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/activity';
import pino from 'pino';
import { sqlRows, startTestDatabase } from '@order-fulfillment/infra';
import type { TestDatabase } from '@order-fulfillment/infra';
import { createDataSource, migrate, OrderStore } from '@order-fulfillment/db';
import { NO_FAULTS } from '@order-fulfillment/platform';
import type { DataSource } from 'typeorm';
import { FaultInjector, createOrderActivities, createShippingActivities } from '../src';

jest.setTimeout(60_000);

let db: TestDatabase;
let dataSource: DataSource;
let store: OrderStore;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  db = await startTestDatabase('activities');
  await migrate(db.url);
  dataSource = await createDataSource({ url: db.url, poolSize: 25 }).initialize();
  store = new OrderStore(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.stop();
});

const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> => sqlRows<T>(db.url, query, params);

const activities = (faults = new FaultInjector(NO_FAULTS)) => createOrderActivities({ store, faults, logger });
const run = <T>(fn: () => Promise<T>, attempt = 1): Promise<T> => new MockActivityEnvironment({ attempt }).run(fn) as Promise<T>;

describe('ChargePayment', () => {
  it('20 concurrent charges with one payment id: one row, one charge', async () => {
    const { ChargePayment, ReceiveOrder } = activities();
    const order = { orderId: 'conc-1', paymentId: 'pmt-conc-1', items: [{ sku: 'ABC', qty: 3 }], address: null };
    await run(() => ReceiveOrder({ order }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => run(() => ChargePayment({ orderId: 'conc-1', paymentId: 'pmt-conc-1', amount: 30 }), (i % 3) + 1)),
    );
    expect(results.filter((r) => r.charged)).toHaveLength(1);
    expect(await sql(`SELECT order_id, status, amount FROM payments WHERE payment_id = 'pmt-conc-1'`)).toEqual([
      { order_id: 'conc-1', status: 'charged', amount: '30.00' },
    ]);
    expect(await sql(`SELECT count(*)::int AS n FROM events WHERE type = 'payment_charged' AND order_id = 'conc-1'`)).toEqual([{ n: 1 }]);
  });

  it('a retried charge after success is a no-op and reports the attempt', async () => {
    const { ChargePayment } = activities();
    await run(() => ChargePayment({ orderId: 'retry-1', paymentId: 'pmt-retry-1', amount: 10 }));
    const again = await run(() => ChargePayment({ orderId: 'retry-1', paymentId: 'pmt-retry-1', amount: 10 }), 2);
    expect(again).toEqual({ charged: false, attempt: 2 });
  });

  it('refuses, without retrying, a payment id that belongs to another order', async () => {
    const { ChargePayment } = activities();
    await run(() => ChargePayment({ orderId: 'owner', paymentId: 'pmt-owned', amount: 10 }));
    const err = await run(() => ChargePayment({ orderId: 'intruder', paymentId: 'pmt-owned', amount: 10 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect(await sql(`SELECT count(*)::int AS n FROM payments WHERE payment_id = 'pmt-owned'`)).toEqual([{ n: 1 }]);
  });

  it('records an injected, retry-worthy failure in the audit trail and charges nothing', async () => {
    const { ChargePayment } = activities(new FaultInjector({ errorRate: 1, hangRate: 0, hangMs: 0, seed: 1 }));
    const err = await run(() => ChargePayment({ orderId: 'flaky-1', paymentId: 'pmt-flaky-1', amount: 10 })).catch((e: unknown) => e);
    expect((err as ApplicationFailure).type).toBe('InjectedFault');
    expect(await sql(`SELECT count(*)::int AS n FROM payments WHERE payment_id = 'pmt-flaky-1'`)).toEqual([{ n: 0 }]);
    expect(await sql(`SELECT payload->>'activity' AS activity FROM events WHERE order_id = 'flaky-1' AND type = 'activity_error'`)).toEqual([
      { activity: 'ChargePayment' },
    ]);
  });
});

describe('RefundPayment', () => {
  it('refunds once and is a no-op when nothing was charged', async () => {
    const { ChargePayment, RefundPayment } = activities();
    await run(() => ChargePayment({ orderId: 'ref-1', paymentId: 'pmt-ref-1', amount: 10 }));
    const results = await Promise.all(Array.from({ length: 5 }, () => run(() => RefundPayment({ orderId: 'ref-1', paymentId: 'pmt-ref-1', reason: 'x' }))));
    expect(results.filter((r) => r.refunded)).toHaveLength(1);
    expect(await run(() => RefundPayment({ orderId: 'ref-2', paymentId: 'pmt-never', reason: 'x' }))).toEqual({ refunded: false, attempt: 1 });
    expect(await sql(`SELECT status FROM payments WHERE payment_id = 'pmt-ref-1'`)).toEqual([{ status: 'refunded' }]);
  });
});

describe('ValidateOrder', () => {
  it('fails without retry for an order with no items, naming the problem', async () => {
    const { ValidateOrder } = activities();
    const err = await run(() => ValidateOrder({ order: { orderId: 'v1', paymentId: 'p', items: [], address: null } })).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'InvalidOrder', nonRetryable: true, message: 'items: the order has no items' });
  });
});

describe('DispatchCarrier', () => {
  it('records the address it dispatched to, once per shipment', async () => {
    const { DispatchCarrier } = createShippingActivities({ store, faults: new FaultInjector(NO_FAULTS), logger });
    const address = { street: '456 New St', city: 'New City' };
    const request = { orderId: 'd1', shipmentId: 'shipping-d1-1', attempt: 1, packageId: 'pkg-1', address };
    await run(() => DispatchCarrier(request));
    await run(() => DispatchCarrier(request), 2);
    expect(await sql(`SELECT payload->'address' AS address FROM events WHERE order_id = 'd1' AND type = 'carrier_dispatched'`)).toEqual([{ address }]);
  });

  it('the sandbox carrier declines the first N attempts when the order plan says so', async () => {
    const { DispatchCarrier } = createShippingActivities({ store, faults: new FaultInjector(NO_FAULTS), logger });
    const request = { orderId: 'd2', shipmentId: 'shipping-d2-1', attempt: 1, packageId: 'pkg', address: null, faults: { declineDispatchAttempts: 1 } };
    await expect(run(() => DispatchCarrier(request))).rejects.toMatchObject({ type: 'CarrierDeclined', nonRetryable: true });
    await expect(run(() => DispatchCarrier({ ...request, shipmentId: 'shipping-d2-2', attempt: 2 }))).resolves.toMatchObject({ carrierRef: 'trk-shipping-d2-2' });
  });
});
