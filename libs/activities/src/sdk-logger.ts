/**
 * Routes the Temporal SDK's own logs into the worker's structured (pino) log.
 * A retryable activity failure is expected traffic here (the audit trail has
 * every one), so the SDK's "Activity failed" line for it is logged at debug,
 * without the stack trace; everything else keeps its level. A line about a
 * workflow or an activity carries the same fields as ours (ADR 045):
 * `orderId`, `workflowId`, `runId`, and `activity` and `attempt`.
 */
import { DefaultLogger } from '@temporalio/worker';
import type { LogEntry, LogLevel } from '@temporalio/worker';
import { orderIdOfWorkflowId } from '@order-fulfillment/contracts';
import type { Logger } from '@order-fulfillment/platform';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function sdkLogger(logger: Logger, level: LogLevel = 'INFO'): DefaultLogger {
  return new DefaultLogger(level, (entry: LogEntry) => {
    const meta = { ...(entry.meta ?? {}) } as Record<string, unknown>;
    const error = meta['error'] as { message?: string; nonRetryable?: boolean } | undefined;
    let target = LEVELS[entry.level];
    if (error && typeof error === 'object') {
      meta['error'] = error.message ?? String(error);
      if (entry.message === 'Activity failed' && error.nonRetryable !== true) target = 'debug';
    }
    logger[target]({ sdk: true, ...orderFields(meta), ...meta }, entry.message);
  });
}

/** `orderId`, `runId` and `activity` from the SDK's own names (workflowId, workflowRunId, activityType). */
export function orderFields(meta: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const workflowId = meta['workflowId'];
  const orderId = typeof workflowId === 'string' ? orderIdOfWorkflowId(workflowId) : null;
  if (orderId) fields['orderId'] = orderId;
  const runId = meta['runId'] ?? meta['workflowRunId'];
  if (typeof runId === 'string') fields['runId'] = runId;
  if (typeof meta['activityType'] === 'string') fields['activity'] = meta['activityType'];
  return fields;
}
