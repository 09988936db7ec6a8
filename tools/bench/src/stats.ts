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

/**
 * A rung is "growing" (its backlog grew while it was offered, so its rate is
 * not sustainable however many orders made the deadline by the time it
 * ended) when the p50 latency of the orders offered in its last third exceeds
 * that of its first third by more than GROWTH_SLACK_MS: last > first + 1 s.
 *
 * Why an absolute bound: the orders of the first and the last third of a 20 s
 * rung are offered about 13 s apart. A system that completes a share f of
 * the offered rate queues (1 - f) x 13 s of work in between, and its latency
 * grows by about that much. A second of growth is f >= 0.92: within 8 % of
 * keeping up. A bound proportional to the latency would judge a queue by its
 * length: the earlier rule (last > first x 1.5 + 1 s) passed the bare
 * baseline at 10/s with its p50 going from 6.9 s to 9.6 s in 25 s (it
 * completed 7.4 orders/s), while this system, whose admission control
 * refuses orders rather than queue them, missed at 8/s on the refusals. The
 * flat rungs of every variant seen so far vary by at most 0.6 s between
 * thirds (2.5-4 s p50, the 2 s review timer included).
 */
export const GROWTH_SLACK_MS = 1_000;

/** One accepted order of a step, as the growth check sees it. */
export interface OrderTiming {
  /** When the client sent it (epoch ms). */
  postedAtMs: number;
  /** POST -> completion, ms; null when it did not complete (failed, or still running when observation ended). */
  latencyMs: number | null;
}

export interface LatencyGrowth {
  /** p50 of the first third of the orders by POST time, ms; null when it falls on an order that did not complete (or there were none). */
  firstThirdP50Ms: number | null;
  lastThirdP50Ms: number | null;
  /** Last third's p50 > first third's + GROWTH_SLACK_MS, or beyond the window. */
  growing: boolean;
}

/**
 * Did the latency grow across the step? Compares the p50 of the first third
 * of its accepted orders, in POST order, with that of the last third; for an
 * open-loop rung (orders evenly spaced in time) those are the orders offered
 * in its first and last third of time. An order that did not complete counts
 * as slower than any (as in latencySummary), so a last third whose p50 never
 * completed is growing whatever the first third did. Each third has at least
 * one order (a step of 1 or 2 orders compares its first and last); a step
 * with no accepted order is not growing (nothing to judge; its share of
 * orders within the SLO, 0, already misses).
 */
export function latencyGrowth(orders: readonly OrderTiming[]): LatencyGrowth {
  if (orders.length === 0) return { firstThirdP50Ms: null, lastThirdP50Ms: null, growing: false };
  const byPost = [...orders].sort((a, b) => a.postedAtMs - b.postedAtMs);
  const third = Math.max(1, Math.floor(byPost.length / 3));
  const p50 = (part: readonly OrderTiming[]) => latencySummary(part.map((o) => o.latencyMs)).p50;
  const first = p50(byPost.slice(0, third));
  const last = p50(byPost.slice(byPost.length - third));
  const growing = last === null || (first !== null && last > first + GROWTH_SLACK_MS);
  return { firstThirdP50Ms: first, lastThirdP50Ms: last, growing };
}

/**
 * Throughput actually achieved: completed orders / (the last completion -
 * the first POST), orders per second, two decimals; 0 when none completed.
 * A rung that keeps up comes in just under its offered rate (its last
 * orders' latency is in the span); one that falls behind, well under it.
 */
export function achievedThroughput(firstPostMs: number, completedAtMs: readonly number[]): number {
  if (!completedAtMs.length) return 0;
  const spanS = (Math.max(...completedAtMs) - firstPostMs) / 1000;
  return spanS > 0 ? Math.round((completedAtMs.length / spanS) * 100) / 100 : 0;
}

export interface LadderStep {
  /** Offered rate, orders per second. */
  rate: number;
  /** Share of the orders offered at this rate that completed within the SLO from their POST (0..1). */
  withinSlo: number;
  /** False when the latency grew across the rung (latencyGrowth); results from before the check have none. */
  sustained: boolean;
}

/**
 * A step's result as the ladder's arithmetic sees it. A step from a run
 * before the sustained check has no verdict and counts as sustained: it was
 * judged on its share alone.
 */
export const ladderStep = (step: { rate: number | null; withinSloShare: number; sustained?: boolean }): LadderStep => ({
  rate: step.rate ?? 0,
  withinSlo: step.withinSloShare,
  sustained: step.sustained ?? true,
});

/** A rung meets the SLO when at least `target` of its orders made it in time AND its latency did not grow. */
export const meetsSlo = (step: LadderStep, target = 0.99): boolean => step.withinSlo >= target && step.sustained;

/**
 * Capacity at the SLO: the highest offered rate that met it (share within
 * the deadline >= `target`, and sustained) with every lower rate tried
 * meeting it too. A rate that passes above one that failed is noise near the
 * limit, not sustained capacity. Null when even the lowest rate tried missed it.
 */
export function capacityAtSlo(steps: readonly LadderStep[], target = 0.99): number | null {
  let capacity: number | null = null;
  for (const step of [...steps].sort((a, b) => a.rate - b.rate)) {
    if (!meetsSlo(step, target)) break;
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

/** A step's CPU seconds per accepted order, summed over the variant's own processes; null when it accepted none. */
export function cpuSecondsPerOrder(step: { usage: Record<string, { cpuSecondsPerOrder: number | null }> }): number | null {
  const costs = Object.values(step.usage)
    .map((u) => u.cpuSecondsPerOrder)
    .filter((c): c is number => c !== null);
  return costs.length ? costs.reduce((sum, c) => sum + c, 0) : null;
}

export interface LadderStart {
  /** The rate the ladder starts at. */
  rate: number;
  /** The start it had without the estimate: the calibrated start is never below it. */
  floor: number;
  /** What the warm-up cost per order, CPU seconds of the variant's own processes; null when none of its orders completed. */
  cpuSecondsPerOrder: number | null;
  /** Orders per second the machine's cores could carry at that cost (cores ÷ cost); null without a cost. */
  cpuBoundRate: number | null;
  /** The capacity that estimate points to (cpuBoundRate ÷ COLD_ESTIMATE_SHARE); the ladder starts at the highest rung at or below it. */
  expectedCapacity: number | null;
}

/**
 * What a warm-up's estimate (cores ÷ its CPU seconds per order) came to, as a share of the
 * capacity measured after it: 0.75-0.975 in the eight ladders of four fresh-clone runs on
 * 2026-12-07 (2 cores; docs/capacity.md, thirteenth round), median 0.86. A warm-up runs on a
 * stack just started, whose code is not yet optimised, at a rate below the capacity, where the
 * stack's fixed costs weigh more per order; and no side used every core at its capacity.
 */
export const COLD_ESTIMATE_SHARE = 0.86;

/**
 * Where a ladder starts once its warm-up has shown what an order costs: the
 * highest rung at or below the capacity that cost points to (cores ÷ CPU
 * seconds per order ÷ COLD_ESTIMATE_SHARE), and never below `floor`, so a
 * machine slower than the floor walks down from the floor as before and a
 * faster one skips the rungs far below its capacity. A start above the
 * capacity walks down (nextLadderRate), which costs about the rungs a climb
 * from below would.
 */
export function calibratedStart(rates: readonly number[], floor: number, cpuSecondsPerOrder: number | null, cores: number): LadderStart {
  if (cpuSecondsPerOrder === null || !(cpuSecondsPerOrder > 0) || !(cores > 0)) {
    return { rate: floor, floor, cpuSecondsPerOrder, cpuBoundRate: null, expectedCapacity: null };
  }
  const cpuBoundRate = Math.round((cores / cpuSecondsPerOrder) * 10) / 10;
  const expectedCapacity = Math.round((cpuBoundRate / COLD_ESTIMATE_SHARE) * 10) / 10;
  const rung = [...rates].sort((a, b) => b - a).find((r) => r <= expectedCapacity);
  return { rate: Math.max(floor, rung ?? floor), floor, cpuSecondsPerOrder, cpuBoundRate, expectedCapacity };
}

/**
 * The next rate of an adaptive ladder over `rates` (ascending rungs), or
 * null when it is done. It starts at `start`. While steps meet the SLO (share
 * and sustained, meetsSlo) it climbs one rung at a time, and runs `afterMiss`
 * more rungs after the first miss (to show how it degrades past the limit).
 * When the very first step misses, it walks down instead until a step meets
 * the SLO, and stops there. A rung whose latency grew is a miss like any.
 * Once it is done, the bench may run one more rate: {@link halfWayRate}.
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
  if (!meetsSlo(first, target)) {
    if (done.some((s) => meetsSlo(s, target))) return null;
    const lowest = Math.min(...tried);
    return [...rungs].reverse().find((r) => r < lowest) ?? null;
  }
  const firstMiss = done.findIndex((s) => !meetsSlo(s, target));
  if (firstMiss >= 0 && done.length - 1 - firstMiss >= options.afterMiss) return null;
  const highest = Math.max(...tried);
  return rungs.find((r) => r > highest) ?? null;
}

/**
 * The rate half way between a ladder's capacity and the lowest rate above it
 * that missed, rounded to half an order per second; null when there is no
 * capacity, no miss above it, or no half-way rate left between them. The
 * bench asks again after each such rate, so it halves the gap between rungs
 * (2/s apart above 6/s) down to 0.5/s.
 */
export function halfWayRate(done: readonly LadderStep[], target = 0.99): number | null {
  const capacity = capacityAtSlo(done, target);
  if (capacity === null) return null;
  const above = done.filter((s) => s.rate > capacity && !meetsSlo(s, target)).map((s) => s.rate);
  if (!above.length) return null;
  const lowestMiss = Math.min(...above);
  const mid = Math.round(capacity + lowestMiss) / 2;
  return mid > capacity && mid < lowestMiss && !done.some((s) => s.rate === mid) ? mid : null;
}
