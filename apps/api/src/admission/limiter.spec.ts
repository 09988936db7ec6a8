import { LimiterSettings, Observation, nextLimit, retryAfterSeconds, throughputPerSecond } from './limiter';

const settings: LimiterSettings = { targetLatencyMs: 7_500, minLimit: 8, maxLimit: 200, windowMs: 10_000 };
// Saturated (at the limit), its oldest order past the target, completions seen all through the window, unless a test says otherwise.
const obs = (o: Partial<Observation>): Observation => ({ finishedInTime: 30, firstEndedMsAgo: 10_000, oldestInFlightMs: 9_000, inFlight: 1_000, ...o });

describe('the adaptive admission limit (Little\'s law: throughput × target latency)', () => {
  it('moves half way to what ended in time per second × the target latency', () => {
    // 30 in 10 s = 3/s; at 7.5 s that is 22.5 in flight.
    expect(nextLimit(20, obs({ finishedInTime: 30 }), settings)).toBe(21);
    expect(nextLimit(30, obs({ finishedInTime: 30 }), settings)).toBe(26);
    expect(nextLimit(22, obs({ finishedInTime: 30 }), settings)).toBe(22);
  });

  it('does not lower the limit while it is not what holds the system back (under 80 % of it in flight), but may raise it', () => {
    // Cold start at 3/s, 2.5 s per order: 3 ended in the first window, 8 in flight of 16.
    expect(nextLimit(16, obs({ finishedInTime: 3, inFlight: 8 }), settings)).toBe(16);
    expect(nextLimit(16, obs({ finishedInTime: 3, inFlight: 13 }), settings)).toBe(9);
    expect(nextLimit(16, obs({ finishedInTime: 60, inFlight: 4 }), settings)).toBe(20);
  });

  it('does not lower the limit while every order in flight is younger than the target (the window is still filling)', () => {
    // Cold start at 5/s under faults: at the limit, 3 s in, 4 ended so far; nothing in flight is 7.5 s old.
    expect(nextLimit(16, obs({ finishedInTime: 4, inFlight: 16, oldestInFlightMs: 3_000 }), settings)).toBe(16);
    expect(nextLimit(16, obs({ finishedInTime: 4, inFlight: 16, oldestInFlightMs: 8_000 }), settings)).toBe(10);
  });

  it('counts the throughput over the part of the window that saw completions, at least 2 s of it', () => {
    expect(throughputPerSecond({ finishedInTime: 30, firstEndedMsAgo: 10_000 }, 10_000)).toBe(3);
    expect(throughputPerSecond({ finishedInTime: 30, firstEndedMsAgo: null }, 10_000)).toBe(3);
    // Completions all through a window are counted over the window, not over their own, longer history.
    expect(throughputPerSecond({ finishedInTime: 30, firstEndedMsAgo: 9_800 }, 10_000)).toBeCloseTo(3.06, 2);
    expect(throughputPerSecond({ finishedInTime: 30, firstEndedMsAgo: 5_000 }, 10_000)).toBe(6);
    // The first few completions alone: over 2 s, not over the 0.2 s they happened in.
    expect(throughputPerSecond({ finishedInTime: 3, firstEndedMsAgo: 200 }, 10_000)).toBe(1.5);
  });

  it('learns a cold start\'s throughput from its first seconds of completions, not from the whole window', () => {
    // 10/s from a quiet start, 2 s of completions so far (20 orders): 10/s × 7.5 s = 75; half way, at most × 1.25.
    expect(nextLimit(40, obs({ finishedInTime: 20, firstEndedMsAgo: 2_000, inFlight: 38, oldestInFlightMs: 4_000 }), settings)).toBe(50);
    // Three completions in their first 0.2 s: 1.5/s, not 15/s; not saturated, so the limit is kept.
    expect(nextLimit(16, obs({ finishedInTime: 3, firstEndedMsAgo: 200, inFlight: 8 }), settings)).toBe(16);
  });

  it('admits a load it serves in time from a cold start once its first orders have ended', () => {
    // 10 orders/s from a quiet start, each taking 4.5 s (below the 7.5 s target): 45 in flight, over the start of 40.
    // Before the first order ends nothing shows the start is too low; from then on the limit must keep ahead.
    const latencyS = 4.5;
    let limit = 40;
    const admittedAt: number[] = [];
    const refusedAt: number[] = [];
    for (let t = 0; t < 30; t++) {
      const endedBy = (at: number) => admittedAt.filter((a) => a + latencyS <= at);
      for (let i = 0; i < 10; i++) {
        const now = t + i / 10;
        const inFlight = admittedAt.length - endedBy(now).length;
        if (inFlight < limit) admittedAt.push(now);
        else refusedAt.push(now);
      }
      const now = t + 1;
      const ends = endedBy(now).map((a) => a + latencyS).filter((end) => end > now - 10);
      const inFlight = admittedAt.length - endedBy(now).length;
      const oldest = admittedAt.filter((a) => a + latencyS > now)[0];
      limit = nextLimit(
        limit,
        {
          finishedInTime: ends.length,
          firstEndedMsAgo: ends.length ? (now - Math.min(...ends)) * 1000 : null,
          oldestInFlightMs: oldest === undefined ? null : (now - oldest) * 1000,
          inFlight,
        },
        settings,
      );
    }
    expect(refusedAt.filter((at) => at >= latencyS)).toEqual([]);
    expect(refusedAt.length).toBeLessThanOrEqual(5);
    expect(limit).toBeGreaterThan(45);
  });

  it('moves at most × 1.25 up and × 0.5 down in one step', () => {
    expect(nextLimit(40, obs({ finishedInTime: 200 }), settings)).toBe(50);
    expect(nextLimit(100, obs({ finishedInTime: 1 }), settings)).toBe(50);
  });

  it('keeps the limit when nothing ended and nothing in flight is older than the target (no evidence)', () => {
    expect(nextLimit(20, obs({ finishedInTime: 0, oldestInFlightMs: 5_000 }), settings)).toBe(20);
    expect(nextLimit(20, obs({ finishedInTime: 0, oldestInFlightMs: null }), settings)).toBe(20);
  });

  it('cuts by a quarter when nothing ended and the oldest order in flight is past the target (a stalled system)', () => {
    expect(nextLimit(32, obs({ finishedInTime: 0, oldestInFlightMs: 9_000 }), settings)).toBe(24);
  });

  it('stays within the floor and the ceiling', () => {
    expect(nextLimit(9, obs({ finishedInTime: 1 }), settings)).toBe(8);
    expect(nextLimit(190, obs({ finishedInTime: 5_000 }), settings)).toBe(200);
  });

  /**
   * A system that serves `capacity` orders/s with a 2 s floor of latency (the review):
   * arrivals past capacity keep it at the limit; latency = max(2 s, inFlight / capacity). Fed back once a second
   * through a 10 s window.
   */
  function simulate(capacity: number, seconds: number, start = 32): { limits: number[]; latencies: number[] } {
    let limit = start;
    const ended: number[] = [];
    const limits: number[] = [];
    const latencies: number[] = [];
    for (let t = 1; t <= seconds; t++) {
      const inFlight = limit; // arrivals past capacity: always at the limit
      const latency = Math.max(2, inFlight / capacity);
      latencies.push(latency);
      ended.push(Math.min(capacity, inFlight / latency));
      const window = ended.slice(-10).reduce((a, b) => a + b, 0);
      // Arrivals past capacity: the oldest order in flight is about one latency old.
      limit = nextLimit(limit, obs({ finishedInTime: window, firstEndedMsAgo: ended.length * 1000, inFlight, oldestInFlightMs: latency * 1000 }), settings);
      limits.push(limit);
    }
    return { limits, latencies };
  }

  it('settles at capacity × target under a steady overload, latency at the target, inside the deadline', () => {
    const { limits, latencies } = simulate(3, 120);
    const last = limits.slice(-60);
    expect(Math.min(...last)).toBeGreaterThanOrEqual(21);
    expect(Math.max(...last)).toBeLessThanOrEqual(24);
    expect(Math.max(...latencies)).toBeLessThan(15);
  });

  it('follows a drop of capacity down, within a few windows', () => {
    const fast = simulate(8, 60);
    expect(fast.limits.at(-1)).toBe(60);
    let limit = fast.limits.at(-1) ?? 0;
    const ended: number[] = [];
    for (let t = 1; t <= 30; t++) {
      const latency = Math.max(2, limit / 2); // capacity fell to 2/s
      ended.push(Math.min(2, limit / latency));
      limit = nextLimit(limit, obs({ finishedInTime: ended.slice(-10).reduce((a, b) => a + b, 0), firstEndedMsAgo: ended.length * 1000 }), settings);
    }
    // 2/s × 7.5 s = 15 (half steps round to within one of it).
    expect(limit).toBeGreaterThanOrEqual(15);
    expect(limit).toBeLessThanOrEqual(16);
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
