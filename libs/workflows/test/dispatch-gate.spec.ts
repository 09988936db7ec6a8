/**
 * The dispatch decision (ADR 047): ShippingWorkflow's RequestDispatch local
 * activity asks OrderWorkflow with an update whose id is the shipment's. These
 * tests send that request themselves, through the real activity, to a real
 * OrderWorkflow on a real Temporal server, at moments the happy path never
 * reaches on its own.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  NON_RETRYABLE_ERRORS,
  REFUSALS,
  cancelOrderUpdate,
  shippingWorkflowId,
  statusQuery,
  updateAddressUpdate,
} from '@order-fulfillment/contracts';
import type { DispatchApproved, DispatchGateRequest } from '@order-fulfillment/contracts';
import { createDispatchGateActivities } from '@order-fulfillment/activities';
import { FakeWorld, Gate, holdUntil } from './fakes';
import { newOrder, setUpEnvironment, startOrder, tearDownEnvironment, testEnv, testPolicy, waitForStatus, withWorkers } from './harness';

jest.setTimeout(60_000);

beforeAll(async () => {
  await setUpEnvironment();
}, 120_000);

afterAll(async () => {
  await tearDownEnvironment();
});

/** Runs the real RequestDispatch activity, as the shipping worker would, with the test server's client. */
async function requestDispatch(request: DispatchGateRequest): Promise<DispatchApproved> {
  // Refusals are what these tests provoke: keep the activity's failure warnings out of the output.
  const activity = new MockActivityEnvironment({}, { client: testEnv().client, logger: new DefaultLogger('ERROR') });
  return activity.run(createDispatchGateActivities().RequestDispatch, request);
}

async function refusal(request: DispatchGateRequest): Promise<ApplicationFailure> {
  const err = await requestDispatch(request).then(
    (approved) => new Error(`approved: ${JSON.stringify(approved)}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('RequestDispatch', () => {
  it('is refused, for good, for an attempt that is not the current one and for an order that has ended', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy({ reviewMs: 60_000 }) });
      await waitForStatus(handle, (s) => s.state === 'in_review');
      const request = { parentWorkflowId: handle.workflowId, shipmentId: shippingWorkflowId(order.orderId, 1), attempt: 1 };

      const early = await refusal(request);
      expect(early.type).toBe(NON_RETRYABLE_ERRORS.dispatchRefused);
      expect(early.nonRetryable).toBe(true);
      expect(early.message).toMatch(/shipping attempt 1 is not the current one \(0\)/);
      expect((await handle.query(statusQuery)).shipping.dispatched).toBe(false);

      await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] });
      expect(await handle.result()).toMatchObject({ state: 'cancelled' });
      const late = await refusal(request);
      expect(late.type).toBe(NON_RETRYABLE_ERRORS.dispatchRefused);
      expect(late.message).toMatch(/has ended/);
    });
    expect(world.count('DispatchCarrier')).toBe(0);
  });

  it('approves a shipment once, with the latest address; from then on cancel and address changes are refused', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const packing = new Gate();
    world.onPrepare = () => holdUntil(packing);
    const newAddress = { street: '9 Late St', city: 'Shelbyville' };
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      // The child is packing: it has not asked yet, so the address may still change.
      await waitForStatus(handle, (s) => s.shipping.attempt === 1 && s.state === 'shipping');
      await handle.executeUpdate(updateAddressUpdate, { args: [{ address: newAddress }] });

      const request = { parentWorkflowId: handle.workflowId, shipmentId: shippingWorkflowId(order.orderId, 1), attempt: 1 };
      expect(await requestDispatch(request)).toEqual({ address: newAddress });
      expect((await handle.query(statusQuery)).shipping.dispatched).toBe(true);
      const cancel = await handle.executeUpdate(cancelOrderUpdate, { args: [{}] }).catch((e: unknown) => e);
      expect(cancel).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((cancel as WorkflowUpdateFailedError).cause as Error).message).toBe(REFUSALS.alreadyDispatched);

      // Asked again (a retry, a replay, or the child itself): the decision already made.
      expect(await requestDispatch(request)).toEqual({ address: newAddress });
      packing.open();
      expect(await handle.result()).toMatchObject({ state: 'completed' });
      const approvals = (await handle.query(statusQuery)).timeline.filter((t) => t.event === 'dispatch_approved');
      expect(approvals).toHaveLength(1);
    });
    expect(world.dispatchedTo).toEqual([newAddress]);
    expect(world.count('RefundPayment')).toBe(0);
  });
});
