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

/**
 * How one call may end. `budget`: retries stop when the order's budget (or the
 * policy's limits) run out. `untilDone`: retries go on until the call succeeds
 * or fails for good; for steps that must not be abandoned (after dispatch, and
 * refunds).
 */
export type CallMode = 'budget' | 'untilDone';

export interface CallHow {
  mode?: CallMode;
  /**
   * Always a remote activity, whatever the policy says. A local activity runs
   * inside the workflow task that decided it; if that task is never committed
   * (it timed out, its worker died, or Temporal refused its completion because
   * a message arrived meanwhile), the call has happened but the decision has
   * not, and the retried task may decide otherwise. A remote activity is only
   * started once the decision is in the history. Calls whose effect must never
   * outrun the decision (a refund) are made remote.
   */
  remote?: boolean;
}

export function activityOptions(policy: ActivityPolicy, budgetEndsAt: number | null, mode: CallMode = 'budget'): ActivityOptions {
  if (mode === 'untilDone') {
    policy = { ...policy, scheduleToCloseMs: null, retry: { ...policy.retry, maximumAttempts: 0 } };
    budgetEndsAt = null;
  }
  const remaining = budgetEndsAt === null ? null : Math.max(MIN_BUDGET_MS, budgetEndsAt - Date.now());
  const scheduleToClose = policy.scheduleToCloseMs ?? remaining ?? undefined;
  return {
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
 * Local-activity options from the same policy. Every retry whose backoff is
 * under a second waits in the worker, inside the same workflow task: a server
 * timer that short fires after about a second whatever its length (measured on
 * the dev server: 126 ms, 190 ms and 250 ms timers all fired after 0.93-1.0 s),
 * so handing the task back between quick retries made each one cost a second.
 * Messages still get through a long chain: the worker hands the task back at
 * 80 % of its timeout (WORKFLOW_TASK_TIMEOUT_MS, the SDK's heartbeat) and the
 * next task delivers them (ADR 049).
 */
export function localActivityOptions(policy: ActivityPolicy, budgetEndsAt: number | null, mode: CallMode = 'budget'): LocalActivityOptions {
  const { retry, startToCloseTimeout, scheduleToCloseTimeout } = activityOptions(policy, budgetEndsAt, mode);
  return {
    startToCloseTimeout,
    scheduleToCloseTimeout,
    retry,
    localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  };
}

/** Backoffs above this go through a server timer (see {@link localActivityOptions}). */
export const LOCAL_RETRY_THRESHOLD_MS = 1_000;

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
  { mode = 'budget', remote = false }: CallHow = {},
): Promise<R> {
  const policy = ctx.policyFor(name);
  const activities = (
    policy.local && !remote
      ? proxyLocalActivities(localActivityOptions(policy, ctx.budgetEndsAt(), mode))
      : proxyActivities(activityOptions(policy, ctx.budgetEndsAt(), mode))
  ) as Record<string, (request: Req) => Promise<R>>;
  try {
    const result = await activities[name as string]({ ...request, ...(policy.hedgeAfterMs > 0 ? { hedgeAfterMs: policy.hedgeAfterMs } : {}) });
    ctx.countAttempts(name, result.attempt);
    return result;
  } catch (err) {
    // A cancelled call still made at least one attempt, which may have had its effect.
    ctx.countAttempts(name, isCancellation(err) ? 1 : Math.max(1, policy.retry.maximumAttempts));
    throw err;
  }
}
