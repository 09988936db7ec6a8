import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AttemptInfo } from '@order-fulfillment/contracts';
import type { OrderStore } from '@order-fulfillment/db';
import type { Logger } from '@order-fulfillment/platform';
import { countAttempt } from './metrics';

/**
 * Runs an activity body, adds the attempt number to its result, and records a
 * retry-worthy failure in the audit trail (once per attempt) before rethrowing.
 */
export async function runActivity<T extends object>(
  deps: { store: OrderStore; logger: Logger },
  name: string,
  orderId: string,
  body: () => Promise<T>,
): Promise<T & AttemptInfo> {
  const { attempt, activityId, workflowExecution } = Context.current().info;
  try {
    const result = { ...(await body()), attempt };
    countAttempt(name, 'success');
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const retryable = !(err instanceof ApplicationFailure && err.nonRetryable);
    countAttempt(name, retryable ? 'retryable_error' : 'failure');
    // Retryable failures are routine under faults (and audited below): debug, not warn.
    deps.logger[retryable ? 'debug' : 'warn']({ orderId, activity: name, attempt, retryable, err: message }, 'activity attempt failed');
    await deps.store
      .recordEvent({
        orderId,
        type: retryable ? 'activity_error' : 'activity_failed',
        dedupeKey: `error:${workflowExecution?.workflowId ?? "-"}:${activityId}:${attempt}`,
        payload: { activity: name, attempt, error: message, retryable },
      })
      .catch((auditErr: unknown) => deps.logger.error({ orderId, err: String(auditErr) }, 'could not record activity error'));
    throw err;
  }
}
