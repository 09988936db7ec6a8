/** The bench's arithmetic: percentiles, shares, capacity at the SLO and the headline ratio. */

/** Nearest-rank percentile of a list of numbers (p in 0..100); null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export const share = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);

export interface LatencySummary {
  /** Milliseconds; null when the percentile falls on an order that had not completed when observation ended. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** The slowest completed order. */
  max: number | null;
}

/**
 * Percentiles over every accepted order, not only the completed ones: an
 * order that never completed (failed, or still running when observation
 * ended) counts as slower than any completed one, so a collapse cannot look
 * fast by dropping its slow orders. `null` in the list is such an order.
 */
export function latencySummary(latenciesMs: readonly (number | null)[]): LatencySummary {
  const values = latenciesMs.map((ms) => (ms === null ? Number.POSITIVE_INFINITY : ms));
  const finite = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : Math.round(v));
  const completed = values.filter(Number.isFinite);
  return {
    p50: finite(percentile(values, 50)),
    p95: finite(percentile(values, 95)),
    p99: finite(percentile(values, 99)),
    max: completed.length ? Math.round(Math.max(...completed)) : null,
  };
}

export interface LadderStep {
  /** Offered rate, orders per second. */
  rate: number;
  /** Share of the orders offered at this rate that completed within the SLO from their POST (0..1). */
  withinSlo: number;
}

/**
 * Capacity at the SLO: the highest offered rate that met it (share within
 * the deadline >= `target`) with every lower rate tried meeting it too. A
 * rate that passes above one that failed is noise near the limit, not
 * sustained capacity. Null when even the lowest rate tried missed it.
 */
export function capacityAtSlo(steps: readonly LadderStep[], target = 0.99): number | null {
  let capacity: number | null = null;
  for (const step of [...steps].sort((a, b) => a.rate - b.rate)) {
    if (step.withinSlo < target) break;
    capacity = step.rate;
  }
  return capacity;
}

/**
 * The headline: this system's capacity at the SLO divided by the best bare
 * baseline's. Null when either side has no capacity (the ladder started
 * above it) or no baseline ran.
 */
export function capacityRatio(system: number | null, baselines: readonly (number | null)[]): number | null {
  const best = Math.max(0, ...baselines.map((c) => c ?? 0));
  if (system === null || best === 0) return null;
  return Math.round((system / best) * 1000) / 1000;
}

/**
 * The next rate of an adaptive ladder over `rates` (ascending rungs), or
 * null when it is done. It starts at `start`. While steps meet the SLO it
 * climbs one rung at a time, and runs `afterMiss` more rungs after the first
 * miss (to show how it degrades past the limit). When the very first step
 * misses, it walks down instead until a step meets the SLO, and stops there.
 */
export function nextLadderRate(
  rates: readonly number[],
  done: readonly LadderStep[],
  options: { start: number; afterMiss: number; target?: number },
): number | null {
  const target = options.target ?? 0.99;
  const rungs = [...rates].sort((a, b) => a - b);
  const first = done[0];
  if (!first) return rungs.find((r) => r >= options.start) ?? rungs[rungs.length - 1] ?? null;
  const tried = done.map((s) => s.rate);
  if (first.withinSlo < target) {
    if (done.some((s) => s.withinSlo >= target)) return null;
    const lowest = Math.min(...tried);
    return [...rungs].reverse().find((r) => r < lowest) ?? null;
  }
  const firstMiss = done.findIndex((s) => s.withinSlo < target);
  if (firstMiss >= 0 && done.length - 1 - firstMiss >= options.afterMiss) return null;
  const highest = Math.max(...tried);
  return rungs.find((r) => r > highest) ?? null;
}
