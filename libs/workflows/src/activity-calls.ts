/**
 * How workflows call activities: options derived from the order's policy, an
 * optional hedge for slow calls, and attempt bookkeeping for the status query.
 */
import { ActivityCancellationType, CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
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
 * Runs `call` and, if it has not settled after `hedgeAfterMs`, runs it a second
 * time concurrently; the first success wins and the other call is cancelled.
 * Only for idempotent activities. Resolves to the winner's value plus the number
 * of calls launched.
 */
export async function hedged<T>(call: () => Promise<T>, hedgeAfterMs: number): Promise<{ value: T; calls: number }> {
  if (hedgeAfterMs <= 0) return { value: await call(), calls: 1 };
  return CancellationScope.cancellable(async () => {
    const calls: Promise<T>[] = [call()];
    const settledFirst = calls[0].then(
      () => false,
      () => false,
    );
    const timerFired = sleep(hedgeAfterMs).then(
      () => true,
      () => false,
    );
    if (await Promise.race([settledFirst, timerFired])) calls.push(call());
    try {
      return { value: await Promise.any(calls), calls: calls.length };
    } catch (err) {
      // Every call failed: report the first call's failure.
      throw err instanceof AggregateError ? err.errors[0] : err;
    } finally {
      // Cancels the losing call and the hedge timer.
      CancellationScope.current().cancel();
    }
  });
}

export interface CallContext {
  policyFor(name: ActivityName): ActivityPolicy;
  /** Absolute time (workflow clock) when the current budget ends, or null. */
  budgetEndsAt(): number | null;
  /** Records that `count` attempts of `name` were made. */
  countAttempts(name: ActivityName, count: number): void;
}

/**
 * Calls one activity of `Acts` by name, under that activity's policy.
 */
export async function callActivity<Acts, R extends AttemptInfo>(
  ctx: CallContext,
  name: ActivityName & keyof Acts,
  invoke: (activities: Acts) => Promise<R>,
  taskQueue?: string,
): Promise<R> {
  const policy = ctx.policyFor(name);
  const once = () => invoke(proxyActivities(activityOptions(policy, ctx.budgetEndsAt(), taskQueue)) as Acts);
  try {
    const { value, calls } = await hedged(once, policy.hedgeAfterMs);
    ctx.countAttempts(name, value.attempt + calls - 1);
    return value;
  } catch (err) {
    if (!isCancellation(err)) ctx.countAttempts(name, Math.max(1, policy.retry.maximumAttempts));
    throw err;
  }
}
