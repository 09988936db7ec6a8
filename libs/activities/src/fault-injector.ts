/**
 * Stands in front of every activity's external call. With the exercise's
 * settings a third of calls fail, a third hang, the rest go through.
 *
 * A hung call ends when its hang length passes, when the activity is cancelled,
 * or when this attempt's own start-to-close timeout has passed: by then Temporal
 * has given up on the attempt, and keeping the simulated call alive would only
 * hold a worker slot.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { FaultConfig } from '@order-fulfillment/platform';

export const INJECTED_FAULT = 'InjectedFault';

export type Outcome = 'ok' | 'error' | 'hang';

/** mulberry32: a small, fast, seedable PRNG; good enough for fault dice. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly random: () => number;
  readonly counts: Record<Outcome, number> = { ok: 0, error: 0, hang: 0 };

  constructor(readonly config: FaultConfig) {
    this.random = config.seed === null ? Math.random : seededRandom(config.seed);
  }

  /** Decides the fate of the next call. */
  roll(): Outcome {
    const { errorRate, hangRate } = this.config;
    if (errorRate <= 0 && hangRate <= 0) return 'ok';
    const dice = this.random();
    if (dice < errorRate) return 'error';
    if (dice < errorRate + hangRate) return 'hang';
    return 'ok';
  }

  /** Runs `call` behind the injector. */
  async call<T>(what: string, call: () => Promise<T>): Promise<T> {
    const outcome = this.roll();
    this.counts[outcome]++;
    if (outcome === 'error') {
      throw ApplicationFailure.retryable(`injected fault: ${what} failed`, INJECTED_FAULT);
    }
    if (outcome === 'hang') {
      await this.hang();
      throw ApplicationFailure.retryable(`injected fault: ${what} hung for ${this.config.hangMs} ms`, INJECTED_FAULT);
    }
    return call();
  }

  private async hang(): Promise<void> {
    let limit = this.config.hangMs;
    let cancelled: Promise<unknown> = new Promise(() => undefined);
    if (Context.current) {
      try {
        const ctx = Context.current();
        const { startToCloseTimeoutMs, currentAttemptScheduledTimestampMs } = ctx.info;
        const attemptEndsIn = currentAttemptScheduledTimestampMs + startToCloseTimeoutMs + 1_000 - Date.now();
        limit = Math.max(0, Math.min(limit, attemptEndsIn));
        cancelled = ctx.cancelled.catch(() => undefined);
      } catch {
        // Not inside an activity (unit tests): hang for the configured length.
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, limit))), cancelled]);
    clearTimeout(timer);
  }
}
