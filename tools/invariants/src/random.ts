/**
 * A seedable random source, so one master seed reproduces a whole run's plan:
 * which orders carry which messages, when, and with which fault seed.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A new, independent stream derived from this one. */
  fork(): Random;
}

/** splitmix32: one 32-bit state, good enough for test plans. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick: no items');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    fork: () => seededRandom(Math.floor(next() * 4294967296)),
  };
  return random;
}

/** A master seed when none is given: printed, so the run can be repeated. */
export const freshSeed = (): number => Math.floor(Math.random() * 2 ** 31);
