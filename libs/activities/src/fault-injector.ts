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
import type { ExternalCallOptions, FaultPlan } from '@order-fulfillment/contracts';
import type { FaultConfig } from '@order-fulfillment/platform';
import { countHedge } from './metrics';

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

/** FNV-1a: folds a seed and a key into one 32-bit number. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The exercise's rates, for `{ preset: 'exercise' }` plans. */
const EXERCISE: FaultConfig = { errorRate: 1 / 3, hangRate: 1 / 3, hangMs: 300_000, seed: null };

/** The effective settings for one call: the order's plan if it has one, else the worker's. */
export function effectiveConfig(worker: FaultConfig, plan: FaultPlan | null | undefined): FaultConfig {
  if (!plan) return worker;
  const base = plan.preset === 'exercise' ? EXERCISE : { errorRate: 0, hangRate: 0, hangMs: 300_000, seed: null };
  const hasRates = plan.preset !== undefined || plan.errorRate !== undefined || plan.hangRate !== undefined;
  if (!hasRates) return worker;
  return {
    errorRate: plan.errorRate ?? base.errorRate,
    hangRate: plan.hangRate ?? base.hangRate,
    hangMs: plan.hangMs ?? base.hangMs,
    seed: plan.seed ?? base.seed,
  };
}

export class FaultInjector {
  readonly counts: Record<Outcome, number> = { ok: 0, error: 0, hang: 0 };

  constructor(readonly config: FaultConfig) {}

  /**
   * Decides the fate of a call. With a seed the outcome is a pure function of
   * (seed, key), so a run is reproducible however calls interleave; the key
   * names the call (workflow id, activity id, attempt).
   */
  roll(key: string, config: FaultConfig = this.config): Outcome {
    const { errorRate, hangRate } = config;
    if (errorRate <= 0 && hangRate <= 0) return 'ok';
    const dice = config.seed === null ? Math.random() : seededRandom(hash32(`${config.seed}:${key}`))();
    if (dice < errorRate) return 'error';
    if (dice < errorRate + hangRate) return 'hang';
    return 'ok';
  }

  /**
   * Makes an external call behind the injector, under the order's plan when
   * given, hedged when `hedgeAfterMs` is set (see {@link hedge}).
   */
  async call<T>(what: string, call: () => Promise<T>, options: ExternalCallOptions = {}): Promise<T> {
    const config = effectiveConfig(this.config, options.faults);
    const leg = (n: number) => this.once(what, call, config, n);
    return options.hedgeAfterMs ? hedge(leg, options.hedgeAfterMs) : leg(1);
  }

  private async once<T>(what: string, call: () => Promise<T>, config: FaultConfig, leg: number): Promise<T> {
    const outcome = this.roll(`${callKey(what)}:${leg}`, config);
    this.counts[outcome]++;
    if (outcome === 'error') {
      throw ApplicationFailure.retryable(`injected fault: ${what} failed`, INJECTED_FAULT);
    }
    if (outcome === 'hang') {
      await hang(config.hangMs);
      throw ApplicationFailure.retryable(`injected fault: ${what} hung for ${config.hangMs} ms`, INJECTED_FAULT);
    }
    return call();
  }
}

/**
 * A hedged request ("The Tail at Scale"): when the first call has not answered
 * after `afterMs`, send a second and take the first success; fail only when
 * both fail (with the first call's error). For idempotent calls only. The
 * slower call is left to end on its own (its attempt's timeout ends a hang).
 */
export async function hedge<T>(leg: (n: number) => Promise<T>, afterMs: number): Promise<T> {
  const first = leg(1);
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), afterMs)));
  const settled = first.then(
    () => false,
    () => false,
  );
  const hedgeNeeded = await Promise.race([settled, slow]);
  clearTimeout(timer);
  if (!hedgeNeeded) return first;
  countHedge('fired');
  try {
    const winner = await Promise.any([first.then((value) => ({ value, leg: 1 })), leg(2).then((value) => ({ value, leg: 2 }))]);
    if (winner.leg === 2) countHedge('won');
    return winner.value;
  } catch (err) {
    throw err instanceof AggregateError ? err.errors[0] : err;
  }
}

/** Identifies the current call: its workflow, activity id and attempt (or a counter outside activities). */
let outsideCalls = 0;
function callKey(what: string): string {
  try {
    const { workflowExecution, activityId, attempt } = Context.current().info;
    return `${workflowExecution?.workflowId ?? '-'}:${activityId}:${attempt}:${what}`;
  } catch {
    return `${what}:${++outsideCalls}`;
  }
}

async function hang(hangMs: number): Promise<void> {
  let limit = hangMs;
  let cancelled: Promise<unknown> = new Promise(() => undefined);
  try {
    const ctx = Context.current();
    const { startToCloseTimeoutMs, currentAttemptScheduledTimestampMs } = ctx.info;
    const attemptEndsIn = currentAttemptScheduledTimestampMs + startToCloseTimeoutMs + 1_000 - Date.now();
    limit = Math.max(0, Math.min(limit, attemptEndsIn));
    cancelled = ctx.cancelled.catch(() => undefined);
  } catch {
    // Not inside an activity (unit tests): hang for the configured length.
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, limit))), cancelled]);
  clearTimeout(timer);
}
