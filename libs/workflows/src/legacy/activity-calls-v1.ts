/** Activity calls as released before the money-and-goods patch, frozen for order-v1.workflow.ts. */
/**
 * How workflows call activities: options derived from the order's policy
 * (remote or local, timeouts, retries, the remaining budget), the hedge delay
 * handed to the activity, and attempt bookkeeping for the status query.
 */
import { ActivityCancellationType, isCancellation, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { ActivityName, ActivityPolicy, AttemptInfo } from '@order-fulfillment/contracts';
import { NON_RETRYABLE_ERRORS } from '@order-fulfillment/contracts';

/** Smallest schedule-to-close we hand Temporal when the budget is nearly spent. */
const MIN_BUDGET_MS = 200;

export function activityOptions(policy: ActivityPolicy, budgetEndsAt: number | null, taskQueue?: string): ActivityOptions {
  const remaining = budgetEndsAt === null ? null : Math.max(MIN_BUDGET_MS, budgetEndsAt - Date.now());
  const scheduleToClose = policy.scheduleToCloseMs ?? remaining ?? undefined;
  return {
    taskQueue,
    startToCloseTimeout: policy.startToCloseMs,
    scheduleToCloseTimeout: scheduleToClose,
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    retry: {
      initialInterval: policy.retry.initialIntervalMs,
      backoffCoefficient: policy.retry.backoffCoefficient,
      maximumInterval: policy.retry.maximumIntervalMs,
      // 0 means unlimited: Temporal wants the field left out for that.
      ...(policy.retry.maximumAttempts > 0 ? { maximumAttempts: policy.retry.maximumAttempts } : {}),
      nonRetryableErrorTypes: Object.values(NON_RETRYABLE_ERRORS),
    },
  };
}

/**
 * Local-activity options from the same policy. Retries up to the threshold run
 * in the worker; past it they wait on a server timer, which also lets the
 * workflow task complete so messages and the deadline timer get through.
 */
export function localActivityOptions(policy: ActivityPolicy, budgetEndsAt: number | null): LocalActivityOptions {
  const { taskQueue: _taskQueue, retry, startToCloseTimeout, scheduleToCloseTimeout } = activityOptions(policy, budgetEndsAt);
  return {
    startToCloseTimeout,
    scheduleToCloseTimeout,
    retry,
    localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  };
}

const LOCAL_RETRY_THRESHOLD_MS = 1_000;

export interface CallContext {
  policyFor(name: ActivityName): ActivityPolicy;
  /** Absolute time (workflow clock) when the current budget ends, or null. */
  budgetEndsAt(): number | null;
  /** Records that `count` attempts of `name` were made. */
  countAttempts(name: ActivityName, count: number): void;
}

/**
 * Calls one activity of `Acts` by name, under that activity's policy. The
 * request gets the policy's hedge delay: hedging is done by the activity around
 * its external call, where it costs no extra workflow round trips.
 */
export async function callActivity<Acts, Req extends object, R extends AttemptInfo>(
  ctx: CallContext,
  name: ActivityName & keyof Acts,
  request: Req,
  taskQueue?: string,
): Promise<R> {
  const policy = ctx.policyFor(name);
  const activities = (
    policy.local
      ? proxyLocalActivities(localActivityOptions(policy, ctx.budgetEndsAt()))
      : proxyActivities(activityOptions(policy, ctx.budgetEndsAt(), taskQueue))
  ) as Record<string, (request: Req) => Promise<R>>;
  try {
    const result = await activities[name as string]({ ...request, ...(policy.hedgeAfterMs > 0 ? { hedgeAfterMs: policy.hedgeAfterMs } : {}) });
    ctx.countAttempts(name, result.attempt);
    return result;
  } catch (err) {
    if (!isCancellation(err)) ctx.countAttempts(name, Math.max(1, policy.retry.maximumAttempts));
    throw err;
  }
}
