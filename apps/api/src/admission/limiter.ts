/**
 * The adaptive limit on orders in flight (ADR 039): pure arithmetic over what
 * the orders table says about the recent past, so it can be tested without a
 * clock and every API replica, reading the same table, arrives at the same
 * limit.
 *
 * Little's law: orders in flight = throughput × time in the system. To keep the
 * time of an order (POST to its end) at the target, the system may hold
 * throughput × target orders. Each refresh measures the throughput as the
 * orders that ended within their deadline in the last window, per second of
 * the window they were seen ending in, and moves the limit half way to that ×
 * target (a full step overshoots: the window lags the limit by an order's
 * latency).
 *
 * - The seconds counted are those since the first of those orders ended (at
 *   least {@link MIN_SPAN_MS}), when that is shorter than the window: after a
 *   quiet spell the window holds only the completions since the load began,
 *   and dividing them by the whole window read a throughput several times too
 *   low, so the limit stayed at its start while the orders in flight grew past
 *   it. (Measured: a cold stack offered 10/s refused 14.5 % of the orders while
 *   the admitted ones took 5 s; ADR 039, second amendment.)
 *
 * - Saturated, latency below the target: throughput = limit / latency, so the
 *   next limit is limit × target / latency — it grows, less as the latency
 *   nears the target. Above the target it shrinks the same way. The fixed point
 *   is an average latency at the target.
 * - Not saturated: throughput is the arrival rate, and the limit (arrivals ×
 *   target) stays above what is in flight (arrivals × a shorter latency).
 * - Lowered only on evidence: while fewer than 80 % of the limit are in flight,
 *   the limit is not what holds the system back, and the throughput it shows is
 *   the arrival rate (or, just after a quiet spell, a window still filling with
 *   the first completions): a lower bound of capacity, which says nothing about
 *   the limit being too high. Nor while every order in flight is younger than
 *   the target: the window then still fills with the first completions, and
 *   the orders themselves show the limit is not too high. The limit may grow
 *   then, not shrink. (Measured: without the first rule, a cold start at
 *   3 orders/s fell to the floor of 8 within 5 s and refused 7 % of a load the
 *   system served in 2.5 s; without the second, a cold start at 5/s under the
 *   exercise's faults refused half the orders.)
 * - A step moves the limit by at most ×1.25 up or ×0.5 down, so one noisy
 *   window cannot swing it.
 * - Nothing ended in time in the window: if the oldest order in flight is
 *   already past the target the system is stalled and the limit is cut by a
 *   quarter; otherwise there is no evidence and it stays.
 */
export interface LimiterSettings {
  /** Average POST→end latency the limit aims at, ms (well inside the order deadline). */
  targetLatencyMs: number;
  minLimit: number;
  maxLimit: number;
  /** Length of the window the observations cover, ms. */
  windowMs: number;
}

export interface Observation {
  /** Orders that ended within their deadline during the window. */
  finishedInTime: number;
  /**
   * How long ago the first order that ended during the window ended, ms (null
   * when none did): the part of the window its completions were seen in.
   */
  firstEndedMsAgo: number | null;
  /** Age of the oldest order in flight, ms; null when none. */
  oldestInFlightMs: number | null;
  /** Orders in flight now (every replica's). */
  inFlight: number;
}

const MAX_GROWTH = 1.25;
const MAX_CUT = 0.5;
const STALL_CUT = 0.75;
/** Below this share of the limit in flight, the limit is not holding the system back. */
const SATURATED = 0.8;
/** The shortest span a throughput is measured over: the first few completions alone say little. */
export const MIN_SPAN_MS = 2_000;

/** Orders that ended in time per second, over the part of the window that saw completions (see above). */
export function throughputPerSecond(obs: Pick<Observation, 'finishedInTime' | 'firstEndedMsAgo'>, windowMs: number): number {
  const spanMs = Math.min(windowMs, Math.max(MIN_SPAN_MS, obs.firstEndedMsAgo ?? windowMs));
  return obs.finishedInTime / (spanMs / 1000);
}

/** The next limit after one observation. */
export function nextLimit(limit: number, obs: Observation, s: LimiterSettings): number {
  const clamp = (n: number) => Math.min(s.maxLimit, Math.max(s.minLimit, Math.round(n)));
  if (obs.finishedInTime === 0) {
    const stalled = obs.oldestInFlightMs !== null && obs.oldestInFlightMs > s.targetLatencyMs;
    return clamp(stalled ? limit * STALL_CUT : limit);
  }
  const throughput = throughputPerSecond(obs, s.windowMs);
  // Half way to what Little's law says: the window lags the limit by an order's latency, and a full step overshoots.
  const target = limit + (throughput * (s.targetLatencyMs / 1000) - limit) / 2;
  // Lowered only when the limit holds the system back and orders wait longer than the target.
  const saturated = obs.inFlight >= limit * SATURATED;
  const slow = obs.oldestInFlightMs !== null && obs.oldestInFlightMs > s.targetLatencyMs;
  if (target < limit && !(saturated && slow)) return clamp(limit);
  return clamp(Math.min(limit * MAX_GROWTH, Math.max(limit * MAX_CUT, target)));
}

/**
 * Seconds a refused client is told to wait: how long the orders over the
 * limit take to drain at the recent completion rate, 1..maxSeconds.
 */
export function retryAfterSeconds(inFlight: number, limit: number, finishedPerSecond: number, maxSeconds = 10): number {
  const excess = Math.max(1, inFlight - limit + 1);
  if (finishedPerSecond <= 0) return Math.min(maxSeconds, 2);
  return Math.min(maxSeconds, Math.max(1, Math.ceil(excess / finishedPerSecond)));
}
