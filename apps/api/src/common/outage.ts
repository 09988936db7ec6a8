/**
 * Errors that mean "a dependency (Temporal, PostgreSQL, Redis) is down or
 * overloaded", not "the request is wrong" and not "this code is broken".
 * They are answered 503 with Retry-After, so a client backs off and retries,
 * never a 500.
 */
import { ServiceUnavailableException } from '@nestjs/common';
import { ServiceError } from '@temporalio/client';
import { isDatabaseOutage } from '@order-fulfillment/db';

/** How long a client is told to wait before retrying a 503 (seconds). */
export const RETRY_AFTER_SECONDS = 5;

export const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** The gRPC status code of a Temporal client error, on the error or its cause. */
export function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}


/** Which dependency failed, or null when `err` is not an outage. */
export function outageOf(err: unknown): 'temporal' | 'database' | 'redis' | null {
  if (!err || typeof err !== 'object') return null;
  if (err instanceof ServiceError) {
    const code = grpcCode(err);
    return code === GRPC.UNAVAILABLE || code === GRPC.DEADLINE_EXCEEDED || code === GRPC.RESOURCE_EXHAUSTED || code === GRPC.CANCELLED ? 'temporal' : null;
  }
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { message, name } = e as { message?: unknown; name?: unknown };
    if (isDatabaseOutage(e)) return 'database';
    if (name === 'MaxRetriesPerRequestError' || (typeof message === 'string' && /Stream isn't writeable|enableOfflineQueue/.test(message))) return 'redis';
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return null;
}

export type Dependency = NonNullable<ReturnType<typeof outageOf>>;

/** The 503 for a dependency that is down (the filter adds Retry-After). */
export function unavailable(which: Dependency): ServiceUnavailableException {
  const what = which === 'temporal' ? 'the workflow service (Temporal)' : which === 'database' ? 'the database' : 'the rate limit store';
  return new ServiceUnavailableException(`${what} is unavailable; try again in ${RETRY_AFTER_SECONDS} s`);
}

/** A 503 for an outage, or null. */
export function outageError(err: unknown): ServiceUnavailableException | null {
  const which = outageOf(err);
  return which ? unavailable(which) : null;
}
