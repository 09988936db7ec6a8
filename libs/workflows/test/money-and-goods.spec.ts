/**
 * The money-and-goods rules (SPEC §1), one test per defect of issue 9, each on
 * a real Temporal dev server with the fake activities. Every test here failed
 * on the release before the `money-and-goods-v2` patch.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import { REFUSALS, cancelOrderSignal, defaultOrderPolicy, cancelOrderUpdate, statusQuery, updateAddressUpdate } from '@order-fulfillment/contracts';
import type { OrderResult } from '@order-fulfillment/contracts';
import { FakeWorld, Gate, holdUntil } from './fakes';
import { newOrder, setUpEnvironment, startOrder, tearDownEnvironment, testEnv, testPolicy, until, updateWithRetry, waitForStatus, withWorkers } from './harness';
import { recordHistory } from './histories';

jest.setTimeout(60_000);

beforeAll(async () => {
  await setUpEnvironment();
}, 120_000);

afterAll(async () => {
  await tearDownEnvironment();
});

/** Waits (polling) until the wall clock is past `at`. */
const pastTime = (at: number) => until(`the clock to pass ${new Date(at).toISOString()}`, () => Date.now() > at, 30_000);

describe('dispatch is the point of no return', () => {
  it('the deadline passing while the approved dispatch is in flight: completed and flagged late, never refunded', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const carrier = new Gate();
    world.onDispatch = () => holdUntil(carrier);
    const policy = testPolicy({ deadlineMs: 4_000 });
    const { result, status } = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy });
      const running = await waitForStatus(handle, (s) => s.shipping.dispatched);
      await pastTime(Date.parse(running.deadline) + 500);
      carrier.open();
      const done = (await handle.result()) as OrderResult;
      await recordHistory('late-after-dispatch', handle);
      return { result: done, status: await handle.query(statusQuery) };
    });
    expect(result).toMatchObject({ state: 'completed', late: true, carrierRef: `trk-shipping-${order.orderId}-1` });
    expect(status.late).toBe(true);
    expect(world.count('RefundPayment')).toBe(0);
    expect(world.standingCharges()).toEqual([order.paymentId]);
    // The held call timed out and was retried: always the same shipment, the carrier's idempotency key.
    expect(world.shipmentIds()).toEqual([`shipping-${order.orderId}-1`]);
    expect(world.transitions.at(-1)).toMatchObject({ state: 'completed', payload: { late: true } });
  });

  it('MarkShipped failing past the deadline is retried until it succeeds: completed late, never refunded', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const policy = testPolicy({ deadlineMs: 4_000 }); // the seed's 3 attempts per activity
    let failUntil = Infinity;
    world.onMarkShipped = (attempt) => {
      // More failures than the policy's 3 attempts, and for longer than the budget.
      if (attempt <= 5 || Date.now() < failUntil) throw ApplicationFailure.retryable(`notification service down (attempt ${attempt})`, 'NotifyDown');
    };
    const result = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy });
      const running = await waitForStatus(handle, (s) => s.step === 'MarkShipped');
      failUntil = Date.parse(running.deadline) + 1_000;
      return (await handle.result()) as OrderResult;
    });
    expect(result).toMatchObject({ state: 'completed', late: true });
    expect(world.count('MarkShipped')).toBeGreaterThan(5);
    expect(world.count('RefundPayment')).toBe(0);
    expect(world.standingCharges()).toEqual([order.paymentId]);
  });

  it('an approved dispatch that fails without a definitive answer is asked again under the same shipment, never a new one', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    world.onDispatch = (_attempt, shipmentId) => {
      // More failures than the seed policy's 3 attempts: the carrier times out, it never says no.
      if (world.calls.filter((c) => c.name === 'DispatchCarrier').length <= 4) throw ApplicationFailure.retryable(`carrier timeout (${shipmentId})`, 'CarrierTimeout');
    };
    const { result, cancel } = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      await until('the first dispatch attempt', () => world.count('DispatchCarrier') >= 1);
      const refused = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'too late?' }] }).catch((e: unknown) => e);
      const done = (await handle.result()) as OrderResult;
      await recordHistory('dispatch-resumed', handle);
      return { result: done, cancel: refused };
    });
    expect(cancel).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((cancel as WorkflowUpdateFailedError).cause?.message)).toContain(REFUSALS.alreadyDispatched);
    expect(result).toMatchObject({ state: 'completed', carrierRef: `trk-shipping-${order.orderId}-1` });
    expect(world.shipmentIds()).toEqual([`shipping-${order.orderId}-1`]);
    expect(world.count('RefundPayment')).toBe(0);
  });

  it('an approved shipment whose child is gone (terminated by an operator) is resumed under the same shipment id', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const carrier = new Gate();
    world.onDispatch = () => holdUntil(carrier);
    const result = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      await waitForStatus(handle, (s) => s.shipping.dispatched);
      await until('the carrier call', () => world.count('DispatchCarrier') >= 1);
      await testEnv().client.workflow.getHandle(`shipping-${order.orderId}-1`).terminate('operator mistake');
      await waitForStatus(handle, (s) => s.lastError?.includes('shipping attempt 1') ?? false);
      carrier.open();
      return (await handle.result()) as OrderResult;
    });
    expect(result).toMatchObject({ state: 'completed', carrierRef: `trk-shipping-${order.orderId}-1` });
    expect(world.shipmentIds()).toEqual([`shipping-${order.orderId}-1`]);
    expect(world.count('PreparePackage')).toBe(2); // the resumed child packs again (same package id), then asks the carrier again
    expect(world.events.map((e) => e.type)).toContain('shipment_resumed');
    expect(world.count('RefundPayment')).toBe(0);
  });

  it('cancelling the execution in Temporal after dispatch is refused: the order completes', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const carrier = new Gate();
    world.onDispatch = () => holdUntil(carrier);
    const result = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      await waitForStatus(handle, (s) => s.shipping.dispatched);
      await handle.cancel();
      await waitForStatus(handle, (s) => s.timeline.some((t) => t.event === 'cancel_refused'));
      carrier.open();
      return (await handle.result()) as OrderResult;
    });
    expect(result.state).toBe('completed');
    expect(world.count('RefundPayment')).toBe(0);
  });
});

describe('money is never kept for goods that did not leave', () => {
  it('a cancel while ChargePayment is in flight still refunds: the late charge is voided, not kept', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const gateway = new Gate();
    // The gateway call is on the wire and does not notice the cancellation (no heartbeat): it lands later.
    world.onCharge = async () => {
      gateway.reached = true;
      await gateway.opened;
    };
    const result = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      await until('the charge to be in flight', () => gateway.reached);
      await updateWithRetry((updateId) => handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }], updateId }));
      const done = (await handle.result()) as OrderResult;
      await recordHistory('cancel-during-charge', handle);
      // Now the gateway answers the charge that was on the wire.
      gateway.open();
      await until('the late charge to be answered', () => world.calls.filter((c) => c.name === 'ChargePayment').length === 1 && world.charges.get(order.paymentId)?.status !== 'pending');
      return done;
    });
    expect(result.state).toBe('cancelled');
    expect(world.count('RefundPayment')).toBeGreaterThanOrEqual(1);
    expect(world.standingCharges()).toEqual([]);
    expect(world.charges.get(order.paymentId)?.status).toBe('voided');
  });

  it('in deadline mode (local activities) the refund is still a remote activity: it runs only once the decision is in the history', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const packing = new Gate();
    world.onPrepare = () => holdUntil(packing);
    const scheduled = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({}, 'deadline') });
      await waitForStatus(handle, (s) => s.state === 'shipping');
      await updateWithRetry((updateId) => handle.executeUpdate(cancelOrderUpdate, { args: [{}], updateId }));
      await handle.result();
      packing.open();
      const { events } = await handle.fetchHistory();
      return (events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
    });
    // A local refund could run in a workflow task that is never committed, and the retried task
    // could ship the order after all: money returned, goods gone (found by the invariant checker).
    expect(scheduled).toContain('RefundPayment');
    expect(scheduled).not.toContain('ChargePayment'); // the rest stays local in this mode
    expect(world.charges.get(order.paymentId)?.status).toBe('refunded');
  });

  it('a refund that keeps failing is retried until it succeeds; meanwhile the order is visibly owed, never closed', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const packing = new Gate();
    world.onPrepare = () => holdUntil(packing);
    let refundsFailUntil = Infinity;
    world.onRefund = () => {
      if (Date.now() < refundsFailUntil) throw ApplicationFailure.retryable('gateway refunds unavailable', 'GatewayDown');
    };
    const policy = testPolicy({ compensationMs: 1_000 });
    const { result, owed } = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy });
      await waitForStatus(handle, (s) => s.state === 'shipping');
      await updateWithRetry((updateId) => handle.executeUpdate(cancelOrderUpdate, { args: [{}], updateId }));
      // Past the compensation budget the refund is still failing: the order says it owes one.
      const owedStatus = await waitForStatus(handle, (s) => s.refundOwed, 15_000);
      expect(owedStatus.state).not.toBe('cancelled');
      expect((await handle.describe()).status.name).toBe('RUNNING');
      refundsFailUntil = 0;
      const done = (await handle.result()) as OrderResult;
      await recordHistory('refund-owed', handle);
      packing.open();
      return { result: done, owed: owedStatus };
    });
    expect(owed.step).toBe('Compensation');
    expect(result.state).toBe('cancelled');
    expect(world.charges.get(order.paymentId)?.status).toBe('refunded');
    expect(world.events.map((e) => e.type)).toContain('refund_pending');
    expect(world.transitions.at(-1)).toMatchObject({ state: 'cancelled' });
  });
});

describe('the workflow owns every ending', () => {
  it('no execution timeout: an order whose workers were away longer than its budget still compensates and ends with its row', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const policy = testPolicy({ deadlineMs: 1_000, compensationMs: 1_000 });
    const handle = await startOrder({ order, policy });
    // The previous release's backstop was deadline + compensation + 5 s.
    await pastTime(Date.now() + policy.deadlineMs + policy.compensationMs + 5_000 + 1_000);
    const failure = await withWorkers(world, () => handle.result().then(() => null, (e: unknown) => e));
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(((failure as WorkflowFailedError).cause as ApplicationFailure).details?.[0]).toMatchObject({ state: 'failed', reason: 'deadline_exceeded' });
    expect(world.transitions.at(-1)).toMatchObject({ state: 'failed', payload: { reason: 'deadline_exceeded' } });
  });

  it('an error inside a signal handler (its bookkeeping gave up) is recorded, and the order still ends through its conclusion', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    world.onRecordEvent = (type) => {
      if (type === 'cancel_requested') throw ApplicationFailure.nonRetryable('audit store rejected the event', 'AuditRejected');
    };
    const { result, status } = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({ reviewMs: 10_000 }) });
      await waitForStatus(handle, (s) => s.state === 'in_review');
      await handle.signal(cancelOrderSignal, { reason: 'by signal' });
      const done = (await handle.result()) as OrderResult;
      return { result: done, status: await handle.query(statusQuery) };
    });
    expect(result).toMatchObject({ state: 'cancelled', reason: 'by signal' });
    expect(status.lastError).toContain('cancel_requested');
    expect(world.transitions.at(-1)).toMatchObject({ state: 'cancelled' });
  });

  it('a chain of local-activity retries hands the workflow task back (the SDK heartbeat at 80 % of the task timeout), so a cancel gets through while it runs', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    let firstCharge = 0;
    world.onCharge = () => {
      firstCharge ||= Date.now();
      // Fails at once, again and again, for 6 s: every retry backs off at most 250 ms.
      if (Date.now() - firstCharge < 6_000) throw ApplicationFailure.retryable('gateway busy', 'GatewayBusy');
    };
    const { result, acceptedAfterMs } = await withWorkers(world, async () => {
      const policy = testPolicy({ reviewMs: 0 }, 'deadline');
      // The real deadline-mode backoff (25 ms growing to 250 ms), not the tests' shortened one.
      policy.activities.ChargePayment.retry = defaultOrderPolicy('deadline').activities.ChargePayment.retry;
      const handle = await startOrder({ order, policy });
      await until('the retry chain to start', () => world.count('ChargePayment') >= 3);
      const sent = Date.now();
      await updateWithRetry((updateId) => handle.executeUpdate(cancelOrderUpdate, { args: [{}], updateId }));
      const accepted = Date.now() - sent;
      return { result: (await handle.result()) as OrderResult, acceptedAfterMs: accepted };
    });
    expect(result.state).toBe('cancelled');
    // With the default 10 s task timeout the worker held the task for the whole chain (about 6 s here).
    expect(acceptedAfterMs).toBeLessThan(3_000);
    expect(world.standingCharges()).toEqual([]);
  });

  it('the deadline counts from the workflow start, not from its first task', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const policy = testPolicy({ reviewMs: 10_000 });
    const handle = await startOrder({ order, policy });
    const startTime = (await handle.describe()).startTime.getTime();
    await pastTime(startTime + 1_500); // no worker yet: the first task waits
    const status = await withWorkers(world, async () => {
      const s = await waitForStatus(handle, (st) => st.state === 'in_review');
      await updateWithRetry((updateId) => handle.executeUpdate(cancelOrderUpdate, { args: [{}], updateId }));
      await handle.result();
      return s;
    });
    expect(Date.parse(status.startedAt)).toBe(startTime);
    expect(Date.parse(status.deadline)).toBe(startTime + policy.deadlineMs);
  });

  it('address changes carry a sequence number, so the database keeps the newest whatever order the writes land in', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const second = { street: '2 Second St', city: 'B' };
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({ reviewMs: 10_000 }) });
      await waitForStatus(handle, (s) => s.state === 'in_review');
      await Promise.all([
        handle.executeUpdate(updateAddressUpdate, { args: [{ address: { street: '1 First St', city: 'A' } }] }),
        handle.executeUpdate(updateAddressUpdate, { args: [{ address: second }] }).then(() => undefined),
      ]);
      await updateWithRetry((updateId) => handle.executeUpdate(cancelOrderUpdate, { args: [{}], updateId }));
      await handle.result();
    });
    const seqs = world.events.filter((e) => e.type === 'address_updated').map((e) => e.payload?.['addressSeq']);
    expect(seqs.sort()).toEqual([1, 2]);
    const last = world.events.find((e) => e.type === 'address_updated' && e.payload?.['addressSeq'] === 2);
    const final = world.transitions.at(-1);
    expect(final?.state).toBe('cancelled');
    // The terminal transition carries the workflow's address and its sequence: the newest one.
    expect((final?.payload?.['status'] as { address: unknown }).address).toEqual((last?.payload?.['address'] as unknown) ?? second);
  });
});
