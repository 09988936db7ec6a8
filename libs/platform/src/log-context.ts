/**
 * Fields every log line written while handling one piece of an order carries
 * (ADR 045): `orderId`, `workflowId`, `runId` and, in an activity, `activity`
 * and `attempt`. The worker runs each activity inside `withLogContext`; the
 * loggers made by `createLogger` add the current fields to each line, so a
 * line logged deep in the database code says which order and attempt it is.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  orderId?: string;
  workflowId?: string;
  runId?: string;
  activity?: string;
  attempt?: number;
}

const storage = new AsyncLocalStorage<LogContext>();

export function withLogContext<T>(fields: LogContext, body: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, body);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
