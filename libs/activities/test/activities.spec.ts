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
import { FaultInjector, SandboxCarrier, SandboxGateway, SandboxWarehouse, createOrderActivities, createShippingActivities } from '../src';
import type { ActivityDeps } from '../src';

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

const deps = (overrides: Partial<ActivityDeps> = {}): ActivityDeps => ({
  store,
  faults: new FaultInjector(NO_FAULTS),
  logger,
  gateway: new SandboxGateway(dataSource),
  carrier: new SandboxCarrier(dataSource),
  warehouse: new SandboxWarehouse(),
  ...overrides,
});
const activities = (faults = new FaultInjector(NO_FAULTS)) => createOrderActivities(deps({ faults }));
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
    // The intent stays recorded (pending), so a refund would find it; no money was taken.
    expect(await sql(`SELECT status FROM payments WHERE payment_id = 'pmt-flaky-1'`)).toEqual([{ status: 'pending' }]);
    expect(await gatewayLedger('pmt-flaky-1')).toEqual([]);
    expect(await sql(`SELECT payload->>'activity' AS activity FROM events WHERE order_id = 'flaky-1' AND type = 'activity_error'`)).toEqual([
      { activity: 'ChargePayment' },
    ]);
  });
});

describe('RefundPayment', () => {
  it('refunds once, at the gateway too, however often it runs', async () => {
    const { ChargePayment, RefundPayment } = activities();
    await run(() => ChargePayment({ orderId: 'ref-1', paymentId: 'pmt-ref-1', amount: 10 }));
    const results = await Promise.all(Array.from({ length: 5 }, () => run(() => RefundPayment({ orderId: 'ref-1', paymentId: 'pmt-ref-1', reason: 'x' }))));
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('refunded'));
    expect(await sql(`SELECT status FROM payments WHERE payment_id = 'pmt-ref-1'`)).toEqual([{ status: 'refunded' }]);
    expect(await sql(`SELECT count(*)::int AS n FROM events WHERE type = 'payment_refunded' AND order_id = 'ref-1'`)).toEqual([{ n: 1 }]);
    expect(await gatewayLedger('pmt-ref-1')).toEqual([
      { operation: 'charge', amount: '10.00' },
      { operation: 'refund', amount: '10.00' },
    ]);
  });

  it('with nothing charged yet, voids the payment so that no charge can land afterwards', async () => {
    const { ChargePayment, RefundPayment } = activities();
    expect(await run(() => RefundPayment({ orderId: 'ref-2', paymentId: 'pmt-never', reason: 'x', amount: 10 }))).toEqual({ refunded: false, outcome: 'voided', attempt: 1 });
    const late = await run(() => ChargePayment({ orderId: 'ref-2', paymentId: 'pmt-never', amount: 10 })).catch((e: unknown) => e);
    expect(late).toMatchObject({ type: 'PaymentVoided', nonRetryable: true });
    expect(await gatewayLedger('pmt-never')).toEqual([{ operation: 'void', amount: '10.00' }]);
  });

  // Defect: ChargePayment checked, called the gateway, then inserted; a refund
  // that ran meanwhile found nothing, and the charge landed after it.
  it('a refund while the charge is in flight voids it: the gateway refuses the late charge', async () => {
    const gate = new Gate();
    const gateway = new (class extends SandboxGateway {
      override async charge(request: { paymentId: string; orderId: string; amount: number }) {
        await gate.opened; // the call is on the wire...
        return super.charge(request);
      }
    })(dataSource);
    const { ChargePayment, RefundPayment } = createOrderActivities(deps({ gateway }));
    const charge = run(() => ChargePayment({ orderId: 'race-1', paymentId: 'pmt-race-1', amount: 10 })).catch((e: unknown) => e);
    await until(async () => (await sql(`SELECT 1 FROM payments WHERE payment_id = 'pmt-race-1'`)).length > 0);
    const refund = await run(() => RefundPayment({ orderId: 'race-1', paymentId: 'pmt-race-1', reason: 'cancelled', amount: 10 }));
    gate.open();
    expect(refund.outcome).toBe('voided');
    expect(await charge).toMatchObject({ type: 'PaymentVoided', nonRetryable: true });
    expect(await sql(`SELECT status FROM payments WHERE payment_id = 'pmt-race-1'`)).toEqual([{ status: 'voided' }]);
    expect(await gatewayLedger('pmt-race-1')).toEqual([{ operation: 'void', amount: '10.00' }]);
  });

  it('a charge the gateway took just before the refund voided the payment is reversed, never kept', async () => {
    const gate = new Gate();
    const gateway = new (class extends SandboxGateway {
      override async charge(request: { paymentId: string; orderId: string; amount: number }) {
        await super.charge(request);
        await gate.opened; // ...and its answer is on the way back
      }
    })(dataSource);
    const { ChargePayment, RefundPayment } = createOrderActivities(deps({ gateway }));
    const charge = run(() => ChargePayment({ orderId: 'race-2', paymentId: 'pmt-race-2', amount: 10 })).catch((e: unknown) => e);
    await until(async () => (await gatewayLedger('pmt-race-2')).length > 0);
    const refund = await run(() => RefundPayment({ orderId: 'race-2', paymentId: 'pmt-race-2', reason: 'deadline_exceeded', amount: 10 }));
    gate.open();
    expect(refund.outcome).toBe('refunded');
    expect(await charge).toMatchObject({ type: 'PaymentVoided', nonRetryable: true });
    expect(await gatewayLedger('pmt-race-2')).toEqual([
      { operation: 'charge', amount: '10.00' },
      { operation: 'refund', amount: '10.00' },
    ]);
    expect(await sql(`SELECT type FROM events WHERE order_id = 'race-2' AND type IN ('payment_charged', 'charge_reversed')`)).toEqual([{ type: 'charge_reversed' }]);
  });
});

describe('the sandbox gateway and carrier honour idempotency keys', () => {
  it('the same payment id, charged 10 times at once (retries and hedges), takes the money once', async () => {
    const gateway = new SandboxGateway(dataSource);
    await Promise.all(Array.from({ length: 10 }, () => gateway.charge({ paymentId: 'pmt-idem', orderId: 'idem-1', amount: 7 })));
    expect(await gatewayLedger('pmt-idem')).toEqual([{ operation: 'charge', amount: '7.00' }]);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => gateway.cancel({ paymentId: 'pmt-idem', orderId: 'idem-1', amount: 7 })));
    expect(outcomes).toEqual(Array(5).fill('refunded'));
    expect(await gatewayLedger('pmt-idem')).toHaveLength(2);
  });

  it('a charge and a void racing on one payment never both succeed', async () => {
    const gateway = new SandboxGateway(dataSource);
    for (let i = 0; i < 10; i++) {
      const paymentId = `pmt-duel-${i}`;
      const [charge, cancel] = await Promise.allSettled([
        gateway.charge({ paymentId, orderId: `duel-${i}`, amount: 1 }),
        gateway.cancel({ paymentId, orderId: `duel-${i}`, amount: 1 }),
      ]);
      const ops = (await gatewayLedger(paymentId)).map((o) => o.operation);
      if (charge.status === 'fulfilled') expect(ops).toEqual(['charge', 'refund']);
      else expect(ops).toEqual(['void']);
      expect(cancel.status).toBe('fulfilled');
    }
  });

  it('the same shipment id ships once, to the first address, with one carrier reference', async () => {
    const carrier = new SandboxCarrier(dataSource);
    const first = { street: '1 First St', city: 'A' };
    const refs = await Promise.all(
      Array.from({ length: 5 }, (_, i) => carrier.dispatch({ shipmentId: 'shipping-idem-1', orderId: 'idem-s', address: i === 0 ? first : { street: `${i} Other St`, city: 'B' } })),
    );
    expect(new Set(refs.map((r) => r.carrierRef))).toEqual(new Set(['trk-shipping-idem-1']));
    const rows = await sql<{ address: unknown }>(`SELECT address FROM sandbox.carrier_shipments WHERE order_id = 'idem-s'`);
    expect(rows).toHaveLength(1);
  });

  it('a slow carrier (SANDBOX_CARRIER_LATENCY_MS) books the shipment only when its call returns', async () => {
    const carrier = new SandboxCarrier(dataSource, { latencyMs: 400 });
    const started = Date.now();
    const booking = carrier.dispatch({ shipmentId: 'shipping-slow-1', orderId: 'slow-s', address: null });
    expect(await sql(`SELECT 1 FROM sandbox.carrier_shipments WHERE order_id = 'slow-s'`)).toEqual([]);
    await expect(booking).resolves.toEqual({ carrierRef: 'trk-shipping-slow-1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390); // timers may round by a millisecond
    expect(await sql(`SELECT count(*)::int AS n FROM sandbox.carrier_shipments WHERE order_id = 'slow-s'`)).toEqual([{ n: 1 }]);
  });

  it('a slow warehouse (SANDBOX_PACKING_LATENCY_MS) takes its time and names the package after the shipment', async () => {
    const started = Date.now();
    await expect(new SandboxWarehouse({ latencyMs: 300 }).pack({ shipmentId: 'shipping-w-1', orderId: 'w' })).resolves.toEqual({ packageId: 'pkg-shipping-w-1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
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
    const { DispatchCarrier } = createShippingActivities(deps());
    const address = { street: '456 New St', city: 'New City' };
    const request = { orderId: 'd1', shipmentId: 'shipping-d1-1', attempt: 1, packageId: 'pkg-1', address };
    await run(() => DispatchCarrier(request));
    await run(() => DispatchCarrier(request), 2);
    expect(await sql(`SELECT payload->'address' AS address FROM events WHERE order_id = 'd1' AND type = 'carrier_dispatched'`)).toEqual([{ address }]);
    expect(await sql(`SELECT address FROM sandbox.carrier_shipments WHERE order_id = 'd1'`)).toEqual([{ address }]);
  });

  it('the sandbox carrier declines the first N attempts when the order plan says so', async () => {
    const { DispatchCarrier } = createShippingActivities(deps());
    const request = { orderId: 'd2', shipmentId: 'shipping-d2-1', attempt: 1, packageId: 'pkg', address: null, faults: { declineDispatchAttempts: 1 } };
    await expect(run(() => DispatchCarrier(request))).rejects.toMatchObject({ type: 'CarrierDeclined', nonRetryable: true });
    expect(await sql(`SELECT count(*)::int AS n FROM sandbox.carrier_shipments WHERE order_id = 'd2'`)).toEqual([{ n: 0 }]);
    await expect(run(() => DispatchCarrier({ ...request, shipmentId: 'shipping-d2-2', attempt: 2 }))).resolves.toMatchObject({ carrierRef: 'trk-shipping-d2-2' });
  });
});

const gatewayLedger = (paymentId: string) =>
  sql<{ operation: string; amount: string }>(`SELECT operation, amount FROM sandbox.gateway_operations WHERE payment_id = $1 ORDER BY created_at`, [paymentId]);

class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
}

/** Polls until `check` holds, for at most 10 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
