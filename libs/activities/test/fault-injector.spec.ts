import { MockActivityEnvironment } from '@temporalio/testing';
import { EXERCISE_FAULTS, NO_FAULTS } from '@order-fulfillment/platform';
import { FaultInjector, effectiveConfig, hedge } from '../src';

describe('FaultInjector', () => {
  it('never interferes when off (the default)', async () => {
    const injector = new FaultInjector(NO_FAULTS);
    for (let i = 0; i < 100; i++) await expect(injector.call('X', async () => i)).resolves.toBe(i);
    expect(injector.counts).toEqual({ ok: 100, error: 0, hang: 0 });
  });

  it('with the exercise rates, about a third of calls fail and a third hang', () => {
    const injector = new FaultInjector({ ...EXERCISE_FAULTS, seed: 7 });
    const outcomes = { ok: 0, error: 0, hang: 0 };
    for (let i = 0; i < 30_000; i++) outcomes[injector.roll(`call-${i}`)]++;
    for (const share of Object.values(outcomes)) {
      expect(share / 30_000).toBeGreaterThan(0.31);
      expect(share / 30_000).toBeLessThan(0.356);
    }
  });

  it('is reproducible with a seed: the same call gets the same fate', () => {
    const a = new FaultInjector({ ...EXERCISE_FAULTS, seed: 42 });
    const b = new FaultInjector({ ...EXERCISE_FAULTS, seed: 42 });
    const c = new FaultInjector({ ...EXERCISE_FAULTS, seed: 43 });
    const keys = Array.from({ length: 200 }, (_, i) => `wf:${i}:1`);
    expect(keys.map((k) => a.roll(k))).toEqual(keys.map((k) => b.roll(k)));
    expect(keys.map((k) => a.roll(k))).not.toEqual(keys.map((k) => c.roll(k)));
  });

  it('an injected error is retryable and says what failed', async () => {
    const injector = new FaultInjector({ errorRate: 1, hangRate: 0, hangMs: 0, seed: null });
    await expect(injector.call('ChargePayment', async () => 'never')).rejects.toMatchObject({
      type: 'InjectedFault',
      nonRetryable: false,
      message: 'injected fault: ChargePayment failed',
    });
  });

  it('a hang ends when the attempt is cancelled (here: the mock environment cancels it)', async () => {
    const injector = new FaultInjector({ errorRate: 0, hangRate: 1, hangMs: 300_000, seed: null });
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 300_000 });
    const started = Date.now();
    const call = env.run(() => injector.call('X', async () => 'never'));
    setTimeout(() => env.cancel(), 100);
    await expect(call).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('hedging: when the first call hangs, a second one is sent and its success wins', async () => {
    let calls = 0;
    const started = Date.now();
    const result = await hedge(async (leg) => {
      calls++;
      if (leg === 1) await new Promise((resolve) => setTimeout(resolve, 5_000)); // a slow first answer
      return `leg ${leg}`;
    }, 100);
    expect(result).toBe('leg 2');
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('hedging sends no second call when the first answers in time, and fails only when both fail', async () => {
    let calls = 0;
    await expect(hedge(async () => ++calls, 1_000)).resolves.toBe(1);
    expect(calls).toBe(1);
    await expect(
      hedge(async (leg) => {
        await new Promise((resolve) => setTimeout(resolve, leg === 1 ? 200 : 0));
        throw new Error(`leg ${leg} failed`);
      }, 50),
    ).rejects.toThrow('leg 1 failed');
  });

  it("an order's plan overrides the worker's setting", () => {
    expect(effectiveConfig(NO_FAULTS, { preset: 'exercise', seed: 3 })).toEqual({ errorRate: 1 / 3, hangRate: 1 / 3, hangMs: 300_000, seed: 3 });
    expect(effectiveConfig(EXERCISE_FAULTS, { declineDispatchAttempts: 1 })).toBe(EXERCISE_FAULTS);
    expect(effectiveConfig(EXERCISE_FAULTS, null)).toBe(EXERCISE_FAULTS);
  });
});
