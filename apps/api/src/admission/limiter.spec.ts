import { LimiterSettings, LimiterState, Observation, initialState, nextLimit, retryAfterSeconds } from './limiter';

const settings: LimiterSettings = { targetLatencyMs: 7_500, minLimit: 8, maxLimit: 200, windowMs: 10_000, decrease: 0.75 };
const obs = (o: Partial<Observation>): Observation => ({ at: 0, finished: 30, p90LatencyMs: 3_000, inFlight: 0, oldestInFlightMs: null, refused: 0, ...o });
const at = (limit: number, decreasedAt: number | null = null): LimiterState => ({ limit, decreasedAt });

describe('the adaptive admission limit', () => {
  it('starts at the floor', () => {
    expect(initialState(settings)).toEqual({ limit: 8, decreasedAt: null });
  });

  it('keeps the limit when nothing finished and nothing in flight is older than the target (no evidence)', () => {
    expect(nextLimit(at(20), obs({ finished: 0, p90LatencyMs: null, inFlight: 20, oldestInFlightMs: 5_000 }), settings)).toEqual(at(20));
    expect(nextLimit(at(20), obs({ finished: 0, p90LatencyMs: null, inFlight: 0 }), settings)).toEqual(at(20));
  });

  it('cuts when nothing finished and the oldest order in flight is past the target (a stalled system)', () => {
    expect(nextLimit(at(32), obs({ at: 9_000, finished: 0, p90LatencyMs: null, inFlight: 32, oldestInFlightMs: 9_000 }), settings)).toEqual({ limit: 27, decreasedAt: 9_000 });
  });

  it('never falls below what Little\'s law says was carried at the target latency', () => {
    // 30 finished in 10 s = 3/s; at 7.5 s that is 22.5 orders in flight.
    expect(nextLimit(at(8), obs({ finished: 30, p90LatencyMs: 3_000, inFlight: 2 }), settings).limit).toBe(23);
  });

  it('adds 10 % (at least 1) while fast enough and the limit is what holds orders back', () => {
    expect(nextLimit(at(40), obs({ finished: 10, inFlight: 40 }), settings).limit).toBe(44);
    expect(nextLimit(at(40), obs({ finished: 10, inFlight: 5, refused: 3 }), settings).limit).toBe(44);
    expect(nextLimit(at(9), obs({ finished: 1, inFlight: 9 }), settings).limit).toBe(10);
    // Not bound: no refusals, far below the limit: unchanged.
    expect(nextLimit(at(40), obs({ finished: 10, inFlight: 5 }), settings).limit).toBe(40);
  });

  it('cuts by the gradient target/p90 (10 % to 25 %) when the p90 is past the target, not below what was carried', () => {
    // 9 s against 7.5 s: × 0.83; 6/s × 7.5 s = 45 was carried, so 83.
    expect(nextLimit(at(100), obs({ at: 50_000, finished: 60, p90LatencyMs: 9_000, inFlight: 100 }), settings)).toEqual({ limit: 83, decreasedAt: 50_000 });
    // 30 s against 7.5 s: at most × 0.75; 1/s carried is less.
    expect(nextLimit(at(100), obs({ at: 50_000, finished: 10, p90LatencyMs: 30_000 }), settings).limit).toBe(75);
    // Just past the target: at least 10 %.
    expect(nextLimit(at(100), obs({ at: 50_000, finished: 10, p90LatencyMs: 7_600 }), settings).limit).toBe(90);
    // Carried is the floor of the cut, never above 90 % of the limit.
    expect(nextLimit(at(40), obs({ at: 50_000, finished: 100, p90LatencyMs: 30_000 }), settings).limit).toBe(36);
  });

  it('decreases at most once per window: the slow latencies still in it predate the cut', () => {
    const cut = at(40, 50_000);
    expect(nextLimit(cut, obs({ at: 55_000, p90LatencyMs: 12_000 }), settings)).toEqual(cut);
    expect(nextLimit(cut, obs({ at: 60_000, p90LatencyMs: 12_000, finished: 10 }), settings)).toEqual({ limit: 30, decreasedAt: 60_000 });
  });

  it('stays within the floor and the ceiling', () => {
    expect(nextLimit(at(9), obs({ at: 1, finished: 1, p90LatencyMs: 20_000 }), settings).limit).toBe(8);
    expect(nextLimit(at(199), obs({ finished: 5_000, inFlight: 199 }), settings).limit).toBe(200);
  });

  it('converges under a steady overload instead of oscillating to the extremes', () => {
    // A system that carries 3 orders/s: latency = inFlight / 3 s (Little's law), fed back each second.
    let state = at(8);
    const limits: number[] = [];
    for (let t = 1; t <= 120; t++) {
      const latencyMs = (state.limit / 3) * 1000;
      state = nextLimit(state, obs({ at: t * 1000, finished: 30, p90LatencyMs: latencyMs, inFlight: state.limit, refused: 5 }), settings);
      limits.push(state.limit);
    }
    const last = limits.slice(-60);
    // 3/s × 7.5 s = 22.5: it settles around there, never far past the target.
    expect(Math.max(...last)).toBeLessThanOrEqual(26);
    expect(Math.min(...last)).toBeGreaterThanOrEqual(16);
  });
});

describe('Retry-After for a refused order', () => {
  it('is the time the excess takes to drain at the recent completion rate, 1..10 s', () => {
    expect(retryAfterSeconds(20, 20, 3)).toBe(1);
    expect(retryAfterSeconds(29, 20, 3)).toBe(4);
    expect(retryAfterSeconds(500, 20, 1)).toBe(10);
    expect(retryAfterSeconds(20, 20, 0)).toBe(2);
  });
});
