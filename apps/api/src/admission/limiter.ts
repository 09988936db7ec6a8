/**
 * The adaptive limit on orders in flight (ADR 039): pure arithmetic over what
 * the orders table says about the recent past, so it can be tested without a
 * clock and every API replica, reading the same table, arrives at the same
 * limit.
 *
 * Each refresh sees the orders that finished in the last window: how many
 * (the completion rate) and how long they took from POST to their end (p90).
 *
 * - Too slow (p90 above the target): multiplicative decrease by the gradient
 *   target / p90 (between 10 % and `decrease`), not below what the window
 *   shows was carried; at most once per window, because the latencies of the
 *   window still include orders admitted under the old limit.
 * - Nothing finished in the window: the oldest order in flight stands in for
 *   the latency (a stalled system is too slow, not "no evidence").
 * - Fast enough and the limit was what held orders back (in flight at the
 *   limit, or refusals): additive increase.
 * - Fast enough, whatever the limit was: never below what Little's law says
 *   the system just carried at the target latency, rate × target. That is
 *   also the seed: a cold limit jumps to the measured capacity at once.
 */
export interface LimiterSettings {
  /** p90 POST→end latency the limit aims under, ms (well inside the order deadline). */
  targetLatencyMs: number;
  minLimit: number;
  maxLimit: number;
  /** Length of the window the observations cover, ms. */
  windowMs: number;
  /** Deepest single decrease, as a factor (0..1): the limit never falls below limit × decrease in one step. */
  decrease: number;
}

export interface Observation {
  /** When it was taken (epoch ms). */
  at: number;
  /** Orders that reached an end state within the window. */
  finished: number;
  /** Their 90th percentile POST→end latency, ms; null when none finished. */
  p90LatencyMs: number | null;
  /** Orders in flight now. */
  inFlight: number;
  /** Age of the oldest order in flight, ms; null when none. */
  oldestInFlightMs: number | null;
  /** Orders refused since the previous observation. */
  refused: number;
}

export interface LimiterState {
  limit: number;
  /** When the limit was last decreased (epoch ms), or null. */
  decreasedAt: number | null;
}

export function initialState(settings: LimiterSettings): LimiterState {
  return { limit: settings.minLimit, decreasedAt: null };
}

/** The next limit after one observation. */
export function nextLimit(state: LimiterState, obs: Observation, s: LimiterSettings): LimiterState {
  const clamp = (n: number) => Math.min(s.maxLimit, Math.max(s.minLimit, Math.round(n)));
  // Nothing finished: the oldest order in flight is the only latency there is.
  // Older than the target, it says "too slow" (a stalled system finishes
  // nothing at all); otherwise there is no evidence either way.
  const nothingFinished = obs.p90LatencyMs === null || obs.finished === 0;
  const latency = nothingFinished ? (obs.oldestInFlightMs ?? 0) : obs.p90LatencyMs!;
  if (nothingFinished && latency <= s.targetLatencyMs) return { ...state, limit: clamp(state.limit) };
  if (latency > s.targetLatencyMs) {
    const cooled = state.decreasedAt === null || obs.at - state.decreasedAt >= s.windowMs;
    if (!cooled) return state;
    // The gradient target/p90 says how far over the target the latency is; cut in
    // proportion (by at most `decrease`, at least 10 %), but never below what the
    // window shows the system carried at the target latency (Little's law).
    const gradient = Math.min(0.9, Math.max(s.decrease, s.targetLatencyMs / latency));
    const carried = (obs.finished / (s.windowMs / 1000)) * (s.targetLatencyMs / 1000);
    return { limit: clamp(Math.min(state.limit * 0.9, Math.max(state.limit * gradient, carried))), decreasedAt: obs.at };
  }
  const bound = obs.refused > 0 || obs.inFlight >= state.limit * 0.9;
  const increased = bound ? state.limit + Math.max(1, Math.round(state.limit * 0.1)) : state.limit;
  const carried = (obs.finished / (s.windowMs / 1000)) * (s.targetLatencyMs / 1000);
  return { ...state, limit: clamp(Math.max(increased, carried)) };
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
