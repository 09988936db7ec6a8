/**
 * The exercise's "flaky" external call, as a switchable fault injector.
 * Off by default. FAULT_PRESET=exercise gives the exercise's rates (1/3 errors,
 * 1/3 hangs of 300 s); FAULT_ERROR_RATE, FAULT_HANG_RATE, FAULT_HANG_MS tune it
 * and FAULT_SEED makes the sequence of outcomes reproducible.
 */
import { ConfigError, Env, numberEnv, oneOfEnv, optionalEnv } from './env';

export interface FaultConfig {
  errorRate: number;
  hangRate: number;
  hangMs: number;
  seed: number | null;
}

export const NO_FAULTS: FaultConfig = Object.freeze({ errorRate: 0, hangRate: 0, hangMs: 0, seed: null });
export const EXERCISE_FAULTS: FaultConfig = Object.freeze({ errorRate: 1 / 3, hangRate: 1 / 3, hangMs: 300_000, seed: null });

export function resolveFaultConfig(env: Env = process.env): FaultConfig {
  const preset = oneOfEnv(env, 'FAULT_PRESET', ['off', 'exercise'] as const, 'off');
  const base = preset === 'exercise' ? EXERCISE_FAULTS : NO_FAULTS;
  const config: FaultConfig = {
    errorRate: numberEnv(env, 'FAULT_ERROR_RATE', base.errorRate, { min: 0, max: 1, integer: false }),
    hangRate: numberEnv(env, 'FAULT_HANG_RATE', base.hangRate, { min: 0, max: 1, integer: false }),
    hangMs: numberEnv(env, 'FAULT_HANG_MS', base.hangMs || 300_000, { min: 0, max: 3_600_000 }),
    seed: optionalEnv(env, 'FAULT_SEED') === undefined ? null : numberEnv(env, 'FAULT_SEED', 0, { min: 0, max: 2 ** 32 - 1 }),
  };
  if (config.errorRate + config.hangRate > 1) {
    throw new ConfigError(`FAULT_ERROR_RATE + FAULT_HANG_RATE: ${config.errorRate} + ${config.hangRate} exceeds 1`);
  }
  return config;
}

export const faultsEnabled = (config: FaultConfig): boolean => config.errorRate > 0 || config.hangRate > 0;
