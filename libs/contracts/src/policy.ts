/**
 * How hard the order tries: timeouts, retries, hedging and the overall budget.
 * A policy is resolved from configuration when an order starts and travels in
 * the workflow input, so every order's rules are recorded in its history.
 */
import type { ActivityName } from './activities';
import { ACTIVITY_NAMES } from './activities';

export type RetryMode = 'seed' | 'deadline';
export const RETRY_MODES: readonly RetryMode[] = ['seed', 'deadline'];
/**
 * The mode an order gets when nothing says otherwise: the one that keeps the
 * product's promise (15 s under the exercise's faults, ADR 035). `seed` keeps
 * the seed's literal 3-attempt policy, one setting away (RETRY_MODE=seed).
 */
export const DEFAULT_RETRY_MODE: RetryMode = 'deadline';

/** Problems with a retry mode chosen for one order (shared by the API and its tests). */
export function retryModeProblems(value: unknown): string[] {
  if (typeof value === 'string' && (RETRY_MODES as readonly string[]).includes(value)) return [];
  return [`retryMode: must be one of ${RETRY_MODES.join(', ')}`];
}

export interface RetryPolicyConfig {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** 0 means unlimited (bounded by the schedule-to-close timeout). */
  maximumAttempts: number;
}

export interface ActivityPolicy {
  /** One attempt's limit: this is what cuts a hung call. */
  startToCloseMs: number;
  /** All attempts' limit; null means "whatever remains of the order's budget". */
  scheduleToCloseMs: number | null;
  retry: RetryPolicyConfig;
  /** Hedge the external call: send a second one when the first has not answered after this long; 0 = off. */
  hedgeAfterMs: number;
  /**
   * Run as a local activity: attempts execute in the workflow's worker and are
   * recorded as one marker, instead of a task round trip through the server per
   * attempt. Meant for short, idempotent calls under a tight budget.
   */
  local: boolean;
}

export interface OrderPolicy {
  retryMode: RetryMode;
  /** Length of the ManualReview timer. */
  reviewMs: number;
  /** The order's whole budget, from start to a terminal state. */
  deadlineMs: number;
  /** Budget for compensation (refund) once the order has been cancelled or failed. */
  compensationMs: number;
  shipping: { maxAttempts: number; backoffMs: number };
  activities: Record<ActivityName, ActivityPolicy>;
}

export const DEFAULT_REVIEW_MS = 2_000;
export const DEFAULT_DEADLINE_MS = 15_000;

/** The seed's rules: tight timeouts, exponential backoff, at most 3 attempts. */
const SEED_ACTIVITY: ActivityPolicy = {
  startToCloseMs: 2_000,
  scheduleToCloseMs: null,
  retry: { initialIntervalMs: 500, backoffCoefficient: 2, maximumIntervalMs: 4_000, maximumAttempts: 3 },
  hedgeAfterMs: 0,
  local: false,
};

/**
 * Deadline-aware: keep retrying while the order's budget allows, cut hung calls
 * quickly, and hedge slow calls (every activity here is idempotent).
 */
const DEADLINE_ACTIVITY: ActivityPolicy = {
  startToCloseMs: 400,
  scheduleToCloseMs: null,
  retry: { initialIntervalMs: 25, backoffCoefficient: 1.5, maximumIntervalMs: 250, maximumAttempts: 0 },
  hedgeAfterMs: 150,
  local: true,
};

/**
 * Compensation never gives up, in either mode: a refund keeps retrying
 * (hedged, hung calls cut after 1 s) until it succeeds. It is a remote activity
 * in both modes (the workflow insists, ADR 009): it must not run before the
 * decision to refund is in the workflow's history.
 */
const REFUND_ACTIVITY: ActivityPolicy = {
  startToCloseMs: 1_000,
  scheduleToCloseMs: null,
  retry: { initialIntervalMs: 100, backoffCoefficient: 1.5, maximumIntervalMs: 1_000, maximumAttempts: 0 },
  hedgeAfterMs: 200,
  local: false,
};

export function defaultOrderPolicy(mode: RetryMode = DEFAULT_RETRY_MODE): OrderPolicy {
  const base = mode === 'deadline' ? DEADLINE_ACTIVITY : SEED_ACTIVITY;
  const activities = Object.fromEntries(
    ACTIVITY_NAMES.map((name) => {
      const policy = name === 'RefundPayment' ? REFUND_ACTIVITY : base;
      return [name, { ...policy, retry: { ...policy.retry } }];
    }),
  ) as Record<ActivityName, ActivityPolicy>;
  return {
    retryMode: mode,
    reviewMs: DEFAULT_REVIEW_MS,
    deadlineMs: DEFAULT_DEADLINE_MS,
    compensationMs: 15_000,
    shipping: { maxAttempts: 3, backoffMs: mode === 'deadline' ? 100 : 500 },
    activities,
  };
}
