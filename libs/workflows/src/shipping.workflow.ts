/**
 * ShippingWorkflow (child, `shipping-tq`): PreparePackage -> DispatchCarrier.
 *
 * Before calling the carrier it asks the parent (ReadyToDispatch) and waits for
 * DispatchApproved, which carries the latest address. When shipping fails for
 * good it signals the parent (DispatchFailed) and fails, so the parent can
 * decide to start another attempt.
 */
import { ApplicationFailure, getExternalWorkflowHandle, isCancellation, setHandler, condition, workflowInfo } from '@temporalio/workflow';
import type {
  ActivityName,
  DispatchApproved,
  ShippingActivities,
  ShippingResult,
  ShippingWorkflowInput,
} from '@order-fulfillment/contracts';
import { dispatchApprovedSignal, dispatchFailedSignal, readyToDispatchSignal } from '@order-fulfillment/contracts';
import { CallContext, callActivity } from './activity-calls';
import { describeFailure } from './failures';

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
  const activity = <K extends keyof ShippingActivities>(name: K, request: Parameters<ShippingActivities[K]>[0]) =>
    callActivity<ShippingActivities, typeof request, Awaited<ReturnType<ShippingActivities[K]>>>(ctx, name, request);

  let step: 'PreparePackage' | 'DispatchCarrier' = 'PreparePackage';
  try {
    const faults = input.faults ?? null;
    const { packageId } = await activity('PreparePackage', { orderId: input.orderId, shipmentId, items: input.items, faults });
    await parent.signal(readyToDispatchSignal, { attempt: input.attempt });
    await condition(() => approval !== null);
    const address = (approval as DispatchApproved | null)?.address ?? null;
    step = 'DispatchCarrier';
    const { carrierRef } = await activity('DispatchCarrier', {
      orderId: input.orderId,
      shipmentId,
      attempt: input.attempt,
      packageId,
      address,
      faults,
    });
    return { shipmentId, packageId, carrierRef, address, attempts };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const reason = `${step}: ${describeFailure(err)}`;
    await parent.signal(dispatchFailedSignal, { attempt: input.attempt, reason });
    throw ApplicationFailure.nonRetryable(reason, 'DispatchFailed');
  }
}
