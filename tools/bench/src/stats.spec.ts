import { capacityAtSlo, capacityRatio, latencySummary, nextLadderRate, percentile, share } from './stats';

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
        { rate: 2, withinSlo: 1 },
        { rate: 3, withinSlo: 0.995 },
        { rate: 4, withinSlo: 0.98 },
        { rate: 6, withinSlo: 0.2 },
      ]),
    ).toBe(3);
  });
  it('ignores a pass above a miss (noise near the limit is not sustained capacity)', () => {
    expect(
      capacityAtSlo([
        { rate: 6, withinSlo: 1 },
        { rate: 3, withinSlo: 1 },
        { rate: 4, withinSlo: 0.9 },
      ]),
    ).toBe(3);
  });
  it('is exactly at the target inclusive, null when the lowest rate misses', () => {
    expect(capacityAtSlo([{ rate: 4, withinSlo: 0.99 }])).toBe(4);
    expect(capacityAtSlo([{ rate: 4, withinSlo: 0.9899 }])).toBeNull();
    expect(capacityAtSlo([])).toBeNull();
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

describe('nextLadderRate', () => {
  const rates = [1, 2, 3, 4, 6, 8];
  const pass = (rate: number) => ({ rate, withinSlo: 1 });
  const miss = (rate: number) => ({ rate, withinSlo: 0.5 });
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
  it('stops at the top rung', () => {
    expect(nextLadderRate(rates, [pass(6), pass(8)], { start: 6, afterMiss: 1 })).toBeNull();
  });
  it('walks down when the first rung misses, and stops at the first pass', () => {
    expect(nextLadderRate(rates, [miss(4)], { start: 4, afterMiss: 1 })).toBe(3);
    expect(nextLadderRate(rates, [miss(4), miss(3)], { start: 4, afterMiss: 1 })).toBe(2);
    expect(nextLadderRate(rates, [miss(4), pass(3)], { start: 4, afterMiss: 1 })).toBeNull();
    expect(nextLadderRate(rates, [miss(1)], { start: 1, afterMiss: 1 })).toBeNull();
  });
});
