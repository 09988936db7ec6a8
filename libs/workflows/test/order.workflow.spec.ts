/**
 * Every branch of OrderWorkflow and ShippingWorkflow, on a real Temporal dev
 * server, with fake activities. Each test is written so that breaking the
 * behaviour it names makes it fail.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import {
  NON_RETRYABLE_ERRORS,
  REFUSALS,
  approveOrderUpdate,
  cancelOrderSignal,
  cancelOrderUpdate,
  statusQuery,
  updateAddressSignal,
  updateAddressUpdate,
} from '@order-fulfillment/contracts';
import type { OrderResult } from '@order-fulfillment/contracts';
import { FakeWorld, Gate, holdUntil } from './fakes';
import { eventually, newOrder, updateWithRetry, setUpEnvironment, startOrder, tearDownEnvironment, testEnv, testPolicy, until, waitForStatus, withWorkers } from './harness';
import { recordHistory } from './histories';

jest.setTimeout(60_000);

beforeAll(async () => {
  await setUpEnvironment();
}, 120_000);

afterAll(async () => {
  await tearDownEnvironment();
});

async function failureOf(promise: Promise<unknown>): Promise<{ message: string; type?: string; details?: unknown[] }> {
  const err = await promise.then(
    () => {
      throw new Error('expected the workflow to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  return { message: cause.message, type: cause.type ?? undefined, details: cause.details as unknown[] | undefined };
}

describe('OrderWorkflow', () => {
  it('happy path: every step in order, one charge, shipped, completed', async () => {
    const world = new FakeWorld();
    const order = newOrder({ items: [{ sku: 'ABC', qty: 2 }, { sku: 'XYZ', qty: 1, unitPrice: 5 }] });
    const result = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      const done = (await handle.result()) as OrderResult;
      const status = await handle.query(statusQuery);
      await recordHistory('happy-path', handle);
      return { done, status };
    });
    expect(result.done).toEqual({ orderId: order.orderId, state: 'completed', reason: null, carrierRef: `trk-shipping-${order.orderId}-1` });
    expect(world.states(order.orderId)).toEqual(['validated', 'in_review', 'paid', 'shipping', 'completed']);
    expect(world.calls.map((c) => c.name)).toEqual([
      'ReceiveOrder',
      'ValidateOrder',
      'ChargePayment',
      'PreparePackage',
      'DispatchCarrier',
      'MarkShipped',
    ]);
    expect(world.charges.get(order.paymentId)).toEqual({ orderId: order.orderId, status: 'charged' });
    expect(world.calls.find((c) => c.name === 'ChargePayment')?.args).toMatchObject({ amount: 25 });
    const { status } = result;
    expect(status.state).toBe('completed');
    expect(status.retryMode).toBe('seed');
    expect(status.payment).toEqual({ paymentId: order.paymentId, status: 'charged', amount: 25 });
    expect(status.shipping).toMatchObject({ attempt: 1, dispatched: true, carrierRef: `trk-shipping-${order.orderId}-1` });
    expect(status.attempts).toEqual({ ReceiveOrder: 1, ValidateOrder: 1, ChargePayment: 1, PreparePackage: 1, DispatchCarrier: 1, MarkShipped: 1 });
    expect(Date.parse(status.deadline) - Date.parse(status.startedAt)).toBe(15_000);
    expect(status.timeline.map((t) => t.event)).toEqual(
      expect.arrayContaining(['received', 'validated', 'in_review', 'review_timer_elapsed', 'paid', 'shipping', 'dispatch_approved', 'completed']),
    );
    // The terminal transition carries the final status for readers of the database.
    expect(world.transitions.at(-1)?.payload?.['status']).toMatchObject({ state: 'completed' });
  });

  it('validation failure: no items -> failed with the reason, not retried, nothing charged', async () => {
    const world = new FakeWorld();
    const order = newOrder({ items: [] });
    const failure = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      const f = await failureOf(handle.result());
      await recordHistory('validation-failed', handle);
      return f;
    });
    expect(failure.type).toBe('OrderFailed');
    expect(failure.details?.[0]).toMatchObject({ state: 'failed', reason: 'invalid_order: items: the order has no items' });
    expect(world.count('ValidateOrder')).toBe(1);
    expect(world.count('ChargePayment')).toBe(0);
    expect(world.states(order.orderId)).toEqual(['failed']);
  });

  it('cancel during review (update): cancelled, nothing charged, no shipping', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({ reviewMs: 30_000 }) });
      await waitForStatus(handle, (s) => s.state === 'in_review');
      const accepted = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] });
      expect(accepted).toEqual({ accepted: true, state: 'in_review' });
      expect(await handle.result()).toMatchObject({ state: 'cancelled', reason: 'changed my mind' });
      await recordHistory('cancel-in-review', handle);
    });
    expect(world.count('ChargePayment')).toBe(0);
    // Nothing was charged; the payment is voided so that no charge can land later (ADR 009).
    expect(world.charges.get(order.paymentId)?.status).toBe('voided');
    expect(world.standingCharges()).toEqual([]);
    expect(world.count('PreparePackage')).toBe(0);
    expect(world.states(order.orderId).at(-1)).toBe('cancelled');
    expect(world.events.map((e) => e.type)).toContain('cancel_requested');
  });

  it('a cancel sent the moment the order starts is accepted and nothing is charged', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    await withWorkers(world, async () => {
      // A long review: however late the cancel lands (a busy machine), the order cannot be charged before it.
      const handle = await startOrder({ order, policy: testPolicy({ reviewMs: 10_000 }) });
      const { value: accepted } = await updateWithRetry((updateId) => handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'too quick' }], updateId }));
      expect(accepted.accepted).toBe(true);
      expect(await handle.result()).toMatchObject({ state: 'cancelled', reason: 'too quick' });
    });
    expect(world.count('ChargePayment')).toBe(0);
  });

  it('CancelOrder works as a signal too (the name users see in the Temporal UI)', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({ reviewMs: 30_000 }) });
      await waitForStatus(handle, (s) => s.state === 'in_review');
      await handle.signal(cancelOrderSignal, { reason: 'by signal' });
      expect(await handle.result()).toMatchObject({ state: 'cancelled', reason: 'by signal' });
    });
    expect(world.count('ChargePayment')).toBe(0);
  });

  it('cancel after payment, before dispatch: the shipping child is cancelled and the payment refunded', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const packing = new Gate();
    world.onPrepare = () => holdUntil(packing);
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      await waitForStatus(handle, (s) => s.state === 'shipping');
      await until('PreparePackage to start', () => packing.reached);
      const accepted = await handle.executeUpdate(cancelOrderUpdate, { args: [{}] });
      expect(accepted.state).toBe('shipping');
      expect(await handle.result()).toMatchObject({ state: 'cancelled', reason: 'cancelled by request' });
      const child = testEnv().client.workflow.getHandle(`shipping-${order.orderId}-1`);
      await eventually('the shipping child to be cancelled', async () => (await child.describe()).status.name === 'CANCELLED');
      await recordHistory('cancel-after-payment', handle);
      packing.open();
    });
    expect(world.charges.get(order.paymentId)?.status).toBe('refunded');
    expect(world.count('DispatchCarrier')).toBe(0);
    expect(world.states(order.orderId).slice(-1)).toEqual(['cancelled']);
  });

  it('cancel after dispatch is refused with "already dispatched", and the order completes', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const carrier = new Gate();
    world.onDispatch = () => holdUntil(carrier);
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      await waitForStatus(handle, (s) => s.shipping.dispatched);
      const refusal = await handle.executeUpdate(cancelOrderUpdate, { args: [{}] }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refusal as WorkflowUpdateFailedError).cause as Error).message).toBe(REFUSALS.alreadyDispatched);
      // The signal form cannot answer, so the refusal is audited instead.
      await handle.signal(cancelOrderSignal, {});
      carrier.open();
      expect(await handle.result()).toMatchObject({ state: 'completed' });
      await recordHistory('cancel-refused-after-dispatch', handle);
    });
    expect(world.count('RefundPayment')).toBe(0);
    expect(world.events.find((e) => e.type === 'cancel_refused')?.payload).toMatchObject({ reason: REFUSALS.alreadyDispatched });
  });

  it('address update before dispatch is persisted and used by the dispatch; after dispatch it is refused', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const carrier = new Gate();
    world.onDispatch = () => holdUntil(carrier);
    const newAddress = { street: '456 New St', city: 'New City', postalCode: '12345' };
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({ reviewMs: 1_000 }) });
      await waitForStatus(handle, (s) => s.state === 'in_review');
      const accepted = await handle.executeUpdate(updateAddressUpdate, { args: [{ address: newAddress }] });
      expect(accepted.accepted).toBe(true);
      expect((await handle.query(statusQuery)).address).toEqual(newAddress);
      await waitForStatus(handle, (s) => s.shipping.dispatched);
      const refusal = await handle
        .executeUpdate(updateAddressUpdate, { args: [{ address: { street: 'Too Late 1', city: 'Nowhere' } }] })
        .catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refusal as WorkflowUpdateFailedError).cause as Error).message).toBe(REFUSALS.alreadyDispatched);
      carrier.open();
      await handle.result();
      await recordHistory('address-updated', handle);
    });
    expect(world.dispatchedTo).toEqual([newAddress]);
    const persisted = world.events.find((e) => e.type === 'address_updated');
    expect(persisted?.payload).toMatchObject({ address: newAddress });
  });

  it('an invalid address is refused by the update validator, naming the field', async () => {
    const world = new FakeWorld();
    await withWorkers(world, async () => {
      const handle = await startOrder({ order: newOrder(), policy: testPolicy({ reviewMs: 30_000 }) });
      await waitForStatus(handle, (s) => s.state === 'in_review');
      const refusal = await handle
        .executeUpdate(updateAddressUpdate, { args: [{ address: { street: '', city: 'X' } }] })
        .catch((e: unknown) => e);
      expect(((refusal as WorkflowUpdateFailedError).cause as Error).message).toBe('address.street: is required');
      await handle.signal(updateAddressSignal, { address: { street: ' ', city: 'X' } });
      await handle.executeUpdate(cancelOrderUpdate, { args: [{}] });
      await handle.result();
    });
    expect(world.events.find((e) => e.type === 'address_update_refused')?.payload).toMatchObject({ reason: 'address.street: is required' });
  });

  it('approve ends the review early', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const elapsed = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({ reviewMs: 60_000 }) });
      await waitForStatus(handle, (s) => s.state === 'in_review');
      const started = Date.now();
      expect(await handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'reviewer-7' }] })).toMatchObject({ accepted: true });
      await handle.result();
      const status = await handle.query(statusQuery);
      expect(status.review).toEqual({ approved: true, by: 'reviewer-7' });
      expect(status.timeline.map((t) => t.event)).toContain('review_approved');
      const late = await handle.executeUpdate(approveOrderUpdate, { args: [{}] }).catch((e: unknown) => e);
      expect(late).toBeDefined();
      await recordHistory('approved-early', handle);
      return Date.now() - started;
    });
    expect(elapsed).toBeLessThan(30_000);
    expect(world.states(order.orderId).at(-1)).toBe('completed');
  });

  it('dispatch failure: the child signals DispatchFailed, the parent ships again and completes', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    world.onDispatch = (attempt) => {
      if (attempt === 1) throw ApplicationFailure.nonRetryable('carrier declined', NON_RETRYABLE_ERRORS.carrierDeclined);
    };
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      expect(await handle.result()).toMatchObject({ state: 'completed', carrierRef: `trk-shipping-${order.orderId}-2` });
      const status = await handle.query(statusQuery);
      expect(status.shipping.attempt).toBe(2);
      expect(status.lastError).toContain('carrier declined');
      await recordHistory('dispatch-retried', handle);
    });
    expect(world.events.find((e) => e.type === 'dispatch_failed')?.payload).toMatchObject({ attempt: 1 });
    expect(world.count('PreparePackage')).toBe(2);
    expect(world.charges.get(order.paymentId)?.status).toBe('charged');
  });

  it('shipping exhausted: after 3 attempts the payment is refunded and the order fails', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    world.onDispatch = () => {
      throw ApplicationFailure.nonRetryable('no carrier', NON_RETRYABLE_ERRORS.carrierDeclined);
    };
    const failure = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      const f = await failureOf(handle.result());
      await recordHistory('shipping-exhausted', handle);
      return f;
    });
    expect(failure.details?.[0]).toMatchObject({ state: 'failed', reason: 'shipping_failed' });
    expect(world.count('DispatchCarrier')).toBe(3);
    expect(world.events.filter((e) => e.type === 'dispatch_failed')).toHaveLength(3);
    expect(world.charges.get(order.paymentId)?.status).toBe('refunded');
    expect(world.states(order.orderId).at(-1)).toBe('failed');
  });

  it('deadline exceeded before dispatch: the workflow compensates (refund) and fails with deadline_exceeded', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const packing = new Gate();
    world.onPrepare = () => holdUntil(packing);
    const failure = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({ deadlineMs: 2_500 }) });
      const f = await failureOf(handle.result());
      packing.open();
      await recordHistory('deadline-exceeded', handle);
      return f;
    });
    expect(failure.details?.[0]).toMatchObject({ state: 'failed', reason: 'deadline_exceeded' });
    expect(world.charges.get(order.paymentId)?.status).toBe('refunded');
    expect(world.count('DispatchCarrier')).toBe(0);
    expect(world.transitions.at(-1)).toMatchObject({ state: 'failed', payload: { reason: 'deadline_exceeded' } });
  });

  it('payment failure: retries run out, the order fails with payment_failed, nothing charged', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    world.onCharge = () => {
      throw ApplicationFailure.retryable('gateway unavailable', 'GatewayDown');
    };
    const failure = await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      const f = await failureOf(handle.result());
      await recordHistory('payment-failed', handle);
      return f;
    });
    expect(failure.details?.[0]).toMatchObject({ state: 'failed', reason: 'payment_failed' });
    expect(world.count('ChargePayment')).toBe(3); // the seed's "at most 3 attempts"
    // The charge never went through, and the refund voided it: no late attempt can land.
    expect(world.standingCharges()).toEqual([]);
    expect(world.charges.get(order.paymentId)?.status).toBe('voided');
    expect(world.count('PreparePackage')).toBe(0);
  });

  it('deadline mode: local activities keep retrying past the seed\'s 3 attempts while the budget allows, hedged', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    world.onCharge = (attempt) => {
      if (attempt <= 5) throw ApplicationFailure.retryable(`gateway busy (${attempt})`, 'GatewayBusy');
    };
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({}, 'deadline') });
      expect(await handle.result()).toMatchObject({ state: 'completed' });
      const status = await handle.query(statusQuery);
      expect(status.attempts['ChargePayment']).toBe(6);
      // The status says which mode the order runs in (the order view shows it).
      expect(status.retryMode).toBe('deadline');
      await recordHistory('deadline-mode-retries', handle);
    });
    const charges = world.calls.filter((c) => c.name === 'ChargePayment');
    expect(charges.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    // The hedge delay travels with each request; the activity hedges its external call.
    expect(charges[0]?.args).toMatchObject({ hedgeAfterMs: 150 });
    expect([...world.charges.values()]).toEqual([{ orderId: order.orderId, status: 'charged' }]);
  });
});
