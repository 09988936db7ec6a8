/**
 * ShippingWorkflow (child, `shipping-tq`): PreparePackage -> DispatchCarrier.
 *
 * Before calling the carrier it asks the parent, which decides: the
 * RequestDispatch update, sent by a local activity (ADR 047), is refused when
 * the order is cancelled or out of budget, and approved with the latest
 * address otherwise. Children started before that change ask with the
 * ReadyToDispatch signal and wait for DispatchApproved. Once approved, the
 * carrier is asked until it answers for good (it ships, or it declines): the
 * shipment id is its idempotency key, so asking again never ships twice. When
 * shipping fails for good it signals the parent (DispatchFailed) and fails, so
 * the parent can decide to start another attempt; a declined dispatch fails
 * as `CarrierDeclined`, the only failure after approval that lets the parent
 * ship under a new shipment id.
 */
import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  ActivityName,
  DispatchApproved,
  DispatchGateActivities,
  ShippingActivities,
  ShippingResult,
  ShippingWorkflowInput,
} from '@order-fulfillment/contracts';
import { NON_RETRYABLE_ERRORS, dispatchApprovedSignal, dispatchFailedSignal, readyToDispatchSignal } from '@order-fulfillment/contracts';
import { CallContext, CallHow, callActivity } from './activity-calls';
import { describeFailure, rootFailureType } from './failures';
import { PATCHES, PatchSet } from './patches';

/**
 * The dispatch question (ADR 047). Local, so asking costs no workflow task of
 * its own; retried until the parent answers (a refusal is final, and the
 * parent cancels this child when it stops before dispatch, which ends the
 * wait); each attempt may wait for the parent's worker, hence the long limit.
 */
const gate = proxyLocalActivities<DispatchGateActivities>({
  startToCloseTimeout: '10s',
  retry: {
    initialInterval: '100ms',
    backoffCoefficient: 2,
    maximumInterval: '2s',
    nonRetryableErrorTypes: [NON_RETRYABLE_ERRORS.dispatchRefused],
  },
});

export async function ShippingWorkflow(input: ShippingWorkflowInput): Promise<ShippingResult> {
  const info = workflowInfo();
  const shipmentId = info.workflowId;
  const parentId = info.parent?.workflowId;
  if (!parentId) throw ApplicationFailure.nonRetryable('ShippingWorkflow runs only as a child of OrderWorkflow', 'NoParent');
  const parent = getExternalWorkflowHandle(parentId);

  let approval: DispatchApproved | null = null;
  const attempts: Record<string, number> = {};
  setHandler(dispatchApprovedSignal, (approved) => {
    approval = approved;
  });

  const ctx: CallContext = {
    policyFor: (name: ActivityName) => input.policy.activities[name],
    // The parent owns the order's budget (and cancels this child when it runs out).
    budgetEndsAt: () => input.budgetEndsAt,
    countAttempts: (name, count) => {
      attempts[name] = (attempts[name] ?? 0) + count;
    },
  };
  const activity = <K extends keyof ShippingActivities>(name: K, request: Parameters<ShippingActivities[K]>[0], how: CallHow = {}) =>
    callActivity<ShippingActivities, typeof request, Awaited<ReturnType<ShippingActivities[K]>>>(ctx, name, request, how);
  // Children started before these rules were released keep the dispatch they were started with.
  const patches = new PatchSet(PATCHES.shippingOneMarker);
  const untilDefinitive = patches.has(PATCHES.dispatchUntilDefinitive);
  const byUpdate = patches.has(PATCHES.dispatchByUpdate);
  /** Asks the parent for dispatch; resolves with the approval (which carries the address). */
  const approved = async (): Promise<DispatchApproved> => {
    if (byUpdate) return gate.RequestDispatch({ parentWorkflowId: parentId, shipmentId, attempt: input.attempt });
    await parent.signal(readyToDispatchSignal, { attempt: input.attempt });
    await condition(() => approval !== null);
    return approval as unknown as DispatchApproved;
  };

  let step: 'PreparePackage' | 'DispatchCarrier' = 'PreparePackage';
  try {
    const faults = input.faults ?? null;
    const { packageId } = await activity('PreparePackage', { orderId: input.orderId, shipmentId, items: input.items, faults });
    // A refusal of the update is a dispatch that did not happen; a child of the signal handshake counts from the approval.
    if (byUpdate) step = 'DispatchCarrier';
    const { address } = await approved();
    step = 'DispatchCarrier';
    const { carrierRef } = await activity(
      'DispatchCarrier',
      { orderId: input.orderId, shipmentId, attempt: input.attempt, packageId, address, faults },
      { mode: untilDefinitive ? 'untilDone' : 'budget' },
    );
    return { shipmentId, packageId, carrierRef, address, attempts };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const reason = `${step}: ${describeFailure(err)}`;
    await parent.signal(dispatchFailedSignal, { attempt: input.attempt, reason });
    const declined = untilDefinitive && step === 'DispatchCarrier' && rootFailureType(err) === NON_RETRYABLE_ERRORS.carrierDeclined;
    throw ApplicationFailure.nonRetryable(reason, declined ? NON_RETRYABLE_ERRORS.carrierDeclined : 'DispatchFailed');
  }
}
