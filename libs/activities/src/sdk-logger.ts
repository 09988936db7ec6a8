/**
 * Routes the Temporal SDK's own logs into the worker's structured (pino) log.
 * A retryable activity failure is expected traffic here (the audit trail has
 * every one), so the SDK's "Activity failed" line for it is logged at debug,
 * without the stack trace; everything else keeps its level.
 */
import { DefaultLogger } from '@temporalio/worker';
import type { LogEntry, LogLevel } from '@temporalio/worker';
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
    logger[target]({ sdk: true, ...meta }, entry.message);
  });
}
