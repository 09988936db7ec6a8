/**
 * Resolves an order's policy from configuration. The default mode is
 * `deadline` (retry while the budget allows, local activities, hedged calls:
 * the mode that keeps the 15 s promise, ADR 035); RETRY_MODE=seed keeps the
 * seed's literal policy (at most 3 attempts, remote activities). Any field can be overridden, globally (ACTIVITY_*) or for
 * one activity (for example CHARGE_PAYMENT_MAX_ATTEMPTS).
 */
import type { ActivityName, ActivityPolicy, OrderPolicy } from '@order-fulfillment/contracts';
import { ACTIVITY_NAMES, DEFAULT_RETRY_MODE, RETRY_MODES, defaultOrderPolicy } from '@order-fulfillment/contracts';
import type { RetryMode } from '@order-fulfillment/contracts';
import { Env, booleanEnv, numberEnv, oneOfEnv } from './env';

/** ChargePayment -> CHARGE_PAYMENT */
export const activityEnvPrefix = (name: ActivityName): string => name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

function activityOverrides(env: Env, prefix: string, base: ActivityPolicy): ActivityPolicy {
  const n = (key: string, fallback: number, opts: { min?: number; max?: number; integer?: boolean } = {}) =>
    numberEnv(env, `${prefix}_${key}`, fallback, opts);
  const scheduleToClose = numberEnv(env, `${prefix}_SCHEDULE_TO_CLOSE_MS`, base.scheduleToCloseMs ?? 0, { min: 0 });
  return {
    startToCloseMs: n('START_TO_CLOSE_MS', base.startToCloseMs, { min: 10 }),
    scheduleToCloseMs: scheduleToClose > 0 ? scheduleToClose : null,
    hedgeAfterMs: n('HEDGE_AFTER_MS', base.hedgeAfterMs, { min: 0 }),
    local: booleanEnv(env, `${prefix}_LOCAL`, base.local),
    retry: {
      initialIntervalMs: n('INITIAL_INTERVAL_MS', base.retry.initialIntervalMs, { min: 1 }),
      backoffCoefficient: n('BACKOFF', base.retry.backoffCoefficient, { min: 1, max: 10, integer: false }),
      maximumIntervalMs: n('MAX_INTERVAL_MS', base.retry.maximumIntervalMs, { min: 1 }),
      maximumAttempts: n('MAX_ATTEMPTS', base.retry.maximumAttempts, { min: 0, max: 1000 }),
    },
  };
}

/**
 * `mode` overrides RETRY_MODE (an order that carries its own mode); every
 * other setting still comes from `env`.
 */
export function resolveOrderPolicy(env: Env = process.env, mode: RetryMode = oneOfEnv(env, 'RETRY_MODE', RETRY_MODES, DEFAULT_RETRY_MODE)): OrderPolicy {
  const policy = defaultOrderPolicy(mode);
  policy.reviewMs = numberEnv(env, 'ORDER_REVIEW_MS', policy.reviewMs, { min: 0, max: 3_600_000 });
  policy.deadlineMs = numberEnv(env, 'ORDER_DEADLINE_MS', policy.deadlineMs, { min: 1_000, max: 86_400_000 });
  policy.compensationMs = numberEnv(env, 'ORDER_COMPENSATION_MS', policy.compensationMs, { min: 1_000, max: 3_600_000 });
  policy.shipping.maxAttempts = numberEnv(env, 'SHIPPING_MAX_ATTEMPTS', policy.shipping.maxAttempts, { min: 1, max: 10 });
  policy.shipping.backoffMs = numberEnv(env, 'SHIPPING_BACKOFF_MS', policy.shipping.backoffMs, { min: 0, max: 60_000 });
  // HEDGE_AFTER_MS is the short name for ACTIVITY_HEDGE_AFTER_MS.
  const globalEnv: Env = { ...env, ACTIVITY_HEDGE_AFTER_MS: env['ACTIVITY_HEDGE_AFTER_MS'] ?? env['HEDGE_AFTER_MS'] };
  for (const name of ACTIVITY_NAMES) {
    const global = activityOverrides(globalEnv, 'ACTIVITY', policy.activities[name]);
    policy.activities[name] = activityOverrides(env, activityEnvPrefix(name), global);
  }
  return policy;
}
