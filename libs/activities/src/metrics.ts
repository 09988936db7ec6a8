/**
 * The activities' metrics (ADR 042): attempts by activity and outcome, hedges
 * fired and won. Recorded on the activity's own metric meter, so they leave
 * through the worker's Temporal runtime, on the same Prometheus endpoint as
 * the SDK's metrics. Outside an activity (unit tests) nothing is recorded.
 */
import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { APP_METRICS } from '@order-fulfillment/contracts';

export type AttemptOutcome = 'success' | 'retryable_error' | 'failure';

function meter(): MetricMeter | null {
  try {
    return Context.current().metricMeter;
  } catch {
    return null;
  }
}

export function countAttempt(activity: string, outcome: AttemptOutcome): void {
  meter()?.createCounter(APP_METRICS.activityAttempts, 'attempts', 'Activity attempts by activity and outcome').add(1, { activity, outcome });
}

export function countHedge(what: 'fired' | 'won'): void {
  const current = meter();
  if (!current) return;
  const activity = Context.current().info.activityType;
  const name = what === 'fired' ? APP_METRICS.hedgesFired : APP_METRICS.hedgesWon;
  current.createCounter(name, 'calls', what === 'fired' ? 'Hedged calls that sent a second request' : 'Hedged calls the second request won').add(1, { activity });
}
