import { ServiceUnavailableException } from '@nestjs/common';

/**
 * 503: the system is at its limit of orders in flight; nothing was started.
 * Carries its own Retry-After (how long the excess takes to drain), which the
 * exception filter sends instead of the outage default.
 */
export class AdmissionRefusedException extends ServiceUnavailableException {
  constructor(
    readonly limit: number,
    readonly inFlight: number,
    readonly retryAfterSeconds: number,
  ) {
    super({
      message: `the system is at capacity (${inFlight} orders in flight, limit ${limit}); nothing was started: send the same request again in ${retryAfterSeconds} s`,
      reason: 'at_capacity',
      retryAfterSeconds,
    });
  }
}
