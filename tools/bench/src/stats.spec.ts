import {
  GROWTH_SLACK_MS,
  achievedThroughput,
  COLD_ESTIMATE_SHARE,
  calibratedStart,
  capacityAtSlo,
  capacityRatio,
  latencyGrowth,
  latencySummary,
  meetsSlo,
  halfWayRate,
  nextLadderRate,
  percentile,
  share,
} from './stats';

describe('percentile (nearest rank)', () => {
  it('picks the value at the rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });
  it('handles small and empty lists', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });
  it('share rounds to four places and survives zero', () => {
    expect(share(199, 200)).toBe(0.995);
    expect(share(1, 3)).toBe(0.3333);
    expect(share(0, 0)).toBe(0);
  });
});

describe('latencySummary', () => {
  it('counts orders that never completed as the slowest, so a collapse cannot look fast', () => {
    const latencies: Array<number | null> = [...Array.from({ length: 98 }, () => 1_000), null, null];
    const summary = latencySummary(latencies);
    expect(summary.p50).toBe(1_000);
    expect(summary.p95).toBe(1_000);
    expect(summary.p99).toBeNull(); // falls on an order that did not complete
    expect(summary.max).toBe(1_000);
  });
  it('has no percentiles when nothing completed', () => {
    expect(latencySummary([null, null])).toEqual({ p50: null, p95: null, p99: null, max: null });
    expect(latencySummary([])).toEqual({ p50: null, p95: null, p99: null, max: null });
  });
});

describe('capacityAtSlo', () => {
  it('is the highest rate meeting the SLO with every lower rate meeting it too', () => {
    expect(
      capacityAtSlo([
        { rate: 2, withinSlo: 1, sustained: true },
        { rate: 3, withinSlo: 0.995, sustained: true },
        { rate: 4, withinSlo: 0.98, sustained: true },
        { rate: 6, withinSlo: 0.2, sustained: true },
      ]),
    ).toBe(3);
  });
  it('ignores a pass above a miss (noise near the limit is not sustained capacity)', () => {
    expect(
      capacityAtSlo([
        { rate: 6, withinSlo: 1, sustained: true },
        { rate: 3, withinSlo: 1, sustained: true },
        { rate: 4, withinSlo: 0.9, sustained: true },
      ]),
    ).toBe(3);
  });
  it('is exactly at the target inclusive, null when the lowest rate misses', () => {
    expect(capacityAtSlo([{ rate: 4, withinSlo: 0.99, sustained: true }])).toBe(4);
    expect(capacityAtSlo([{ rate: 4, withinSlo: 0.9899, sustained: true }])).toBeNull();
    expect(capacityAtSlo([])).toBeNull();
  });
});

describe('capacityAtSlo with the sustained check', () => {
  it('stops below a rung whose latency grew, however many of its orders were in time', () => {
    expect(
      capacityAtSlo([
        { rate: 12, withinSlo: 1, sustained: true },
        { rate: 16, withinSlo: 1, sustained: false },
        { rate: 20, withinSlo: 1, sustained: true },
      ]),
    ).toBe(12);
    expect(capacityAtSlo([{ rate: 16, withinSlo: 1, sustained: false }])).toBeNull();
  });
  it('meetsSlo needs both the share and a flat latency', () => {
    expect(meetsSlo({ rate: 1, withinSlo: 0.99, sustained: true })).toBe(true);
    expect(meetsSlo({ rate: 1, withinSlo: 0.99, sustained: false })).toBe(false);
    expect(meetsSlo({ rate: 1, withinSlo: 0.98, sustained: true })).toBe(false);
  });
});

describe('latencyGrowth', () => {
  /** `latencies` offered one per `gapMs`, in order, from t = 1000. */
  const rung = (latencies: Array<number | null>, gapMs = 100) =>
    latencies.map((latencyMs, i) => ({ postedAtMs: 1_000 + i * gapMs, latencyMs }));
  it('passes a flat rung, noise and all', () => {
    const flat = rung(Array.from({ length: 60 }, (_, i) => 2_600 + ((i * 37) % 500)));
    const g = latencyGrowth(flat);
    expect(g.growing).toBe(false);
    expect(g.firstThirdP50Ms).toBeGreaterThanOrEqual(2_600);
    expect(g.lastThirdP50Ms).toBeLessThan(3_100);
  });
  it('fails a rung whose backlog grows: the last third waits far longer than the first', () => {
    // 3 s at the start, growing by 100 ms per order: 3.0-4.9 s in the first third, 7.0-8.9 s in the last.
    const g = latencyGrowth(rung(Array.from({ length: 60 }, (_, i) => 3_000 + i * 100)));
    expect(g).toEqual({ firstThirdP50Ms: 3_900, lastThirdP50Ms: 7_900, growing: true });
  });
  it('draws the line at last > first + 1000 ms, whatever the latency', () => {
    expect(GROWTH_SLACK_MS).toBe(1_000);
    // Nine orders: thirds of three.
    const thirds = (first: number, last: number) => rung([first, first, first, first, first, first, last, last, last]);
    expect(latencyGrowth(thirds(3_000, 4_000)).growing).toBe(false); // 4 s = 3 s + 1 s exactly
    expect(latencyGrowth(thirds(3_000, 4_001)).growing).toBe(true);
    expect(latencyGrowth(thirds(5_000, 3_000)).growing).toBe(false); // got faster (warm-up)
    // A long queue is judged by its growth, not its length: 6.9 s to 9.6 s (seen: the bare baseline at 10/s) grows.
    expect(latencyGrowth(thirds(6_900, 9_600)).growing).toBe(true);
    expect(latencyGrowth(thirds(6_900, 7_500)).growing).toBe(false);
  });
  it('splits by POST time, not by the order the list comes in', () => {
    const orders = rung(Array.from({ length: 30 }, (_, i) => 3_000 + i * 300)).reverse();
    expect(latencyGrowth(orders).growing).toBe(true);
  });
  it('counts an order that did not complete as slower than any', () => {
    // Last third: 6 of 10 never completed, so its p50 is beyond the window.
    const latencies = [...Array.from({ length: 24 }, () => 3_000), ...Array.from({ length: 6 }, () => null)];
    const g = latencyGrowth(rung(latencies));
    expect(g).toEqual({ firstThirdP50Ms: 3_000, lastThirdP50Ms: null, growing: true });
    // A few incomplete orders in the last third do not move its p50.
    const few = latencyGrowth(rung([...Array.from({ length: 28 }, () => 3_000), null, null]));
    expect(few).toEqual({ firstThirdP50Ms: 3_000, lastThirdP50Ms: 3_000, growing: false });
  });
  it('is growing when even the first third did not complete: nothing shows the rung kept up', () => {
    expect(latencyGrowth(rung([null, null, null, null, null, null])).growing).toBe(true);
  });
  it('handles few orders: one or two compare first with last, none judges nothing', () => {
    expect(latencyGrowth(rung([3_000]))).toEqual({ firstThirdP50Ms: 3_000, lastThirdP50Ms: 3_000, growing: false });
    expect(latencyGrowth(rung([3_000, 9_000]))).toEqual({ firstThirdP50Ms: 3_000, lastThirdP50Ms: 9_000, growing: true });
    expect(latencyGrowth(rung([3_000, 3_200]))).toMatchObject({ growing: false });
    // 5 orders: thirds of one (the middle ones are in neither).
    expect(latencyGrowth(rung([3_000, 99_000, 99_000, 99_000, 3_100]))).toMatchObject({
      firstThirdP50Ms: 3_000,
      lastThirdP50Ms: 3_100,
      growing: false,
    });
    expect(latencyGrowth([])).toEqual({ firstThirdP50Ms: null, lastThirdP50Ms: null, growing: false });
  });
});

describe('achievedThroughput', () => {
  it('is completed orders over the span from the first POST to the last completion', () => {
    // 240 orders offered over 15 s from t = 0, the last completed at 24 s: 10/s, not 16/s.
    const completions = Array.from({ length: 240 }, (_, i) => 24_000 - i);
    expect(achievedThroughput(0, completions)).toBe(10);
    expect(achievedThroughput(1_000, [4_000, 5_000, 7_000])).toBe(0.5);
  });
  it('is 0 when nothing completed', () => {
    expect(achievedThroughput(1_000, [])).toBe(0);
    expect(achievedThroughput(1_000, [1_000])).toBe(0);
  });
});

describe('capacityRatio', () => {
  it('divides by the best baseline', () => {
    expect(capacityRatio(3, [4, 12])).toBe(0.25);
    expect(capacityRatio(4, [null, 3])).toBe(1.333);
  });
  it('is null without a capacity on either side', () => {
    expect(capacityRatio(null, [4])).toBeNull();
    expect(capacityRatio(3, [])).toBeNull();
    expect(capacityRatio(3, [null])).toBeNull();
  });
});

describe('calibratedStart', () => {
  const rates = [6, 8, 10, 12, 14, 16, 18, 20, 22, 24];
  it('starts at the highest rung at or below cores / CPU per order / COLD_ESTIMATE_SHARE', () => {
    // Run D of 2026-12-07 (2 cores): warm-ups at 0.1486 and 0.1055 CPU s per order, capacities 18 and 21 measured after them.
    expect(COLD_ESTIMATE_SHARE).toBe(0.86);
    expect(calibratedStart(rates, 10, 0.1486, 2)).toEqual({ rate: 14, floor: 10, cpuSecondsPerOrder: 0.1486, cpuBoundRate: 13.5, expectedCapacity: 15.7 });
    expect(calibratedStart(rates, 12, 0.1055, 2)).toMatchObject({ rate: 22, cpuBoundRate: 19, expectedCapacity: 22.1 });
    expect(calibratedStart(rates, 12, 0.1, 2).rate).toBe(22);
  });
  it('never starts below the floor: a slower machine walks down from it as before', () => {
    expect(calibratedStart(rates, 10, 0.24, 2)).toMatchObject({ rate: 10, floor: 10, cpuBoundRate: 8.3, expectedCapacity: 9.7 });
    expect(calibratedStart(rates, 10, 5, 2).rate).toBe(10);
  });
  it('keeps the floor when the warm-up gave no cost', () => {
    expect(calibratedStart(rates, 10, null, 2)).toEqual({ rate: 10, floor: 10, cpuSecondsPerOrder: null, cpuBoundRate: null, expectedCapacity: null });
    expect(calibratedStart(rates, 10, 0, 2).rate).toBe(10);
  });
  it('scales with the cores and stops at the highest rung', () => {
    expect(calibratedStart(rates, 10, 0.1, 4).rate).toBe(24);
    expect(calibratedStart(rates, 10, 0.25, 4).rate).toBe(18);
  });
});

describe('nextLadderRate', () => {
  const rates = [1, 2, 3, 4, 6, 8];
  const pass = (rate: number) => ({ rate, withinSlo: 1, sustained: true });
  const miss = (rate: number) => ({ rate, withinSlo: 0.5, sustained: true });
  // Every order in time, but the latency grew across the rung: a miss all the same.
  const grew = (rate: number) => ({ rate, withinSlo: 1, sustained: false });
  it('starts at the first rung at or above the start', () => {
    expect(nextLadderRate(rates, [], { start: 2.5, afterMiss: 1 })).toBe(3);
    expect(nextLadderRate(rates, [], { start: 100, afterMiss: 1 })).toBe(8);
  });
  it('climbs while passing, and runs afterMiss rungs past the first miss', () => {
    expect(nextLadderRate(rates, [pass(3)], { start: 3, afterMiss: 1 })).toBe(4);
    expect(nextLadderRate(rates, [pass(3), miss(4)], { start: 3, afterMiss: 1 })).toBe(6);
    expect(nextLadderRate(rates, [pass(3), miss(4), miss(6)], { start: 3, afterMiss: 1 })).toBeNull();
    expect(nextLadderRate(rates, [pass(3), miss(4)], { start: 3, afterMiss: 0 })).toBeNull();
  });
  it('treats a rung whose latency grew as a miss: runs afterMiss more, then stops', () => {
    expect(nextLadderRate(rates, [pass(3), grew(4)], { start: 3, afterMiss: 0 })).toBeNull();
    expect(nextLadderRate(rates, [pass(3), grew(4)], { start: 3, afterMiss: 1 })).toBe(6);
    expect(nextLadderRate(rates, [pass(3), grew(4), pass(6)], { start: 3, afterMiss: 1 })).toBeNull();
  });
  it('walks down from a first rung whose latency grew, as from a share miss', () => {
    expect(nextLadderRate(rates, [grew(6)], { start: 6, afterMiss: 1 })).toBe(4);
    expect(nextLadderRate(rates, [grew(6), grew(4)], { start: 6, afterMiss: 1 })).toBe(3);
    expect(nextLadderRate(rates, [grew(6), pass(4)], { start: 6, afterMiss: 1 })).toBeNull();
  });
  it('stops at the top rung', () => {
    expect(nextLadderRate(rates, [pass(6), pass(8)], { start: 6, afterMiss: 1 })).toBeNull();
  });
  it('after the rungs, halfWayRate tries half way between the capacity and the lowest miss above it', () => {
    const grid = [6, 7, 8, 9];
    expect(nextLadderRate(grid, [pass(6), pass(7), grew(8)], { start: 6, afterMiss: 0 })).toBeNull();
    expect(halfWayRate([pass(6), pass(7), grew(8)])).toBe(7.5);
    expect(halfWayRate([pass(6), pass(7), grew(8), pass(7.5)])).toBeNull();
    expect(halfWayRate([pass(6), pass(7), grew(8), miss(7.5)])).toBeNull();
    // From a walk down, between the pass it stopped at and the miss above it.
    expect(nextLadderRate(grid, [miss(8), pass(7)], { start: 8, afterMiss: 0 })).toBeNull();
    expect(halfWayRate([miss(8), pass(7)])).toBe(7.5);
    // Rungs two apart: the whole step first, then the half.
    expect(halfWayRate([pass(6), miss(8)])).toBe(7);
    expect(halfWayRate([pass(6), miss(8), pass(7)])).toBe(7.5);
    // Nothing to refine: no capacity, or no miss above it.
    expect(halfWayRate([miss(6)])).toBeNull();
    expect(halfWayRate([pass(8), pass(9)])).toBeNull();
  });
  it('composed as the bench does, the default rungs climb 2/s at a time and the halving ends 0.5/s from the limit', () => {
    const rungs = [1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 28, 32];
    const ladder = (limit: number): number[] => {
      const done: Array<ReturnType<typeof pass>> = [];
      for (;;) {
        const rate = nextLadderRate(rungs, done, { start: 6, afterMiss: 0 }) ?? halfWayRate(done);
        if (rate === null) return done.map((s) => s.rate);
        done.push(rate <= limit ? pass(rate) : miss(rate));
      }
    };
    expect(ladder(11.2)).toEqual([6, 8, 10, 12, 11, 11.5]);
    expect(ladder(10.7)).toEqual([6, 8, 10, 12, 11, 10.5]);
    expect(ladder(15)).toEqual([6, 8, 10, 12, 14, 16, 15, 15.5]);
    expect(capacityAtSlo([6, 8, 10, 12, 11, 11.5].map((r) => (r <= 11.2 ? pass(r) : miss(r))))).toBe(11);
  });
  it('halfWayRate: the half-way rate on its own, for a ladder stopped by its time budget', () => {
    expect(halfWayRate([pass(8), grew(9)])).toBe(8.5);
    expect(halfWayRate([pass(8), grew(9), pass(8.5)])).toBeNull();
    expect(halfWayRate([pass(8), pass(9)])).toBeNull();
    expect(halfWayRate([miss(8)])).toBeNull();
  });
  it('walks down when the first rung misses, and stops at the first pass', () => {
    expect(nextLadderRate(rates, [miss(4)], { start: 4, afterMiss: 1 })).toBe(3);
    expect(nextLadderRate(rates, [miss(4), miss(3)], { start: 4, afterMiss: 1 })).toBe(2);
    expect(nextLadderRate(rates, [miss(4), pass(3)], { start: 4, afterMiss: 1 })).toBeNull();
    expect(nextLadderRate(rates, [miss(1)], { start: 1, afterMiss: 1 })).toBeNull();
  });
});
