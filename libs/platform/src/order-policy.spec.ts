import { ConfigError } from './env';
import { activityEnvPrefix, resolveOrderPolicy } from './order-policy';
import { resolveFaultConfig } from './faults';

describe('resolveOrderPolicy', () => {
  it('defaults to deadline mode, the one that keeps the 15 s promise', () => {
    const policy = resolveOrderPolicy({});
    expect(policy.retryMode).toBe('deadline');
    expect(policy.activities.ChargePayment.local).toBe(true);
    expect(policy.activities.ChargePayment.retry.maximumAttempts).toBe(0);
  });

  it('keeps the seed policy one setting away (RETRY_MODE=seed)', () => {
    const policy = resolveOrderPolicy({ RETRY_MODE: 'seed' });
    expect(policy.retryMode).toBe('seed');
    expect(policy.activities.ChargePayment.local).toBe(false);
    expect(policy.activities.ChargePayment.retry.maximumAttempts).toBe(3);
  });

  it('takes a mode chosen for one order over RETRY_MODE, and the other settings from the environment', () => {
    const policy = resolveOrderPolicy({ RETRY_MODE: 'deadline', ORDER_REVIEW_MS: '700', CHARGE_PAYMENT_START_TO_CLOSE_MS: '900' }, 'seed');
    expect(policy.retryMode).toBe('seed');
    expect(policy.activities.ChargePayment.retry.maximumAttempts).toBe(3);
    expect(policy.reviewMs).toBe(700);
    expect(policy.activities.ChargePayment.startToCloseMs).toBe(900);
  });

  it('reads the review timer, deadline and retry mode', () => {
    const policy = resolveOrderPolicy({ ORDER_REVIEW_MS: '500', ORDER_DEADLINE_MS: '20000', RETRY_MODE: 'seed', HEDGE_AFTER_MS: '75' });
    expect(policy.reviewMs).toBe(500);
    expect(policy.deadlineMs).toBe(20_000);
    expect(policy.retryMode).toBe('seed');
    expect(policy.activities.DispatchCarrier.hedgeAfterMs).toBe(75);
  });

  it('lets one activity differ from the rest', () => {
    const policy = resolveOrderPolicy({ RETRY_MODE: 'seed', ACTIVITY_MAX_ATTEMPTS: '5', CHARGE_PAYMENT_MAX_ATTEMPTS: '1', CHARGE_PAYMENT_START_TO_CLOSE_MS: '750' });
    expect(policy.activities.ChargePayment.retry.maximumAttempts).toBe(1);
    expect(policy.activities.ChargePayment.startToCloseMs).toBe(750);
    expect(policy.activities.MarkShipped.retry.maximumAttempts).toBe(5);
    expect(activityEnvPrefix('PreparePackage')).toBe('PREPARE_PACKAGE');
  });

  it('refuses bad values, naming the variable', () => {
    expect(() => resolveOrderPolicy({ RETRY_MODE: 'fast' })).toThrow(new ConfigError('RETRY_MODE: "fast" is not one of seed, deadline'));
    expect(() => resolveOrderPolicy({ ORDER_REVIEW_MS: 'soon' })).toThrow('ORDER_REVIEW_MS: "soon" is not an integer');
    expect(() => resolveOrderPolicy({ ACTIVITY_BACKOFF: '0.5' })).toThrow('ACTIVITY_BACKOFF: 0.5 is outside 1..10');
  });
});

describe('resolveFaultConfig', () => {
  it('is off by default', () => {
    expect(resolveFaultConfig({})).toEqual({ errorRate: 0, hangRate: 0, hangMs: 300_000, seed: null });
  });
  it('has the exercise preset, with overrides and a seed', () => {
    expect(resolveFaultConfig({ FAULT_PRESET: 'exercise', FAULT_HANG_MS: '1000', FAULT_SEED: '7' })).toEqual({
      errorRate: 1 / 3,
      hangRate: 1 / 3,
      hangMs: 1_000,
      seed: 7,
    });
  });
  it('refuses rates that add up to more than 1', () => {
    expect(() => resolveFaultConfig({ FAULT_ERROR_RATE: '0.7', FAULT_HANG_RATE: '0.5' })).toThrow(/exceeds 1/);
  });
});
