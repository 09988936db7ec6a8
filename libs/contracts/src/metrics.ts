/**
 * The app's own metrics, as the workers export them on the Temporal SDK's
 * Prometheus endpoint next to the SDK's runtime metrics (ADR 042). One list,
 * so the code that records them, the dashboard's check and the end-to-end
 * scrape agree on the names. The SDK's exporter shows them as created: no
 * prefix, a counter without `_total`, a histogram as `_bucket`, `_sum` and
 * `_count`.
 */
export const APP_METRICS = {
  /** Counter, tags `state` (completed, failed, cancelled) and `reason` (a code, never free text). From the workflow. */
  ordersFinished: 'order_finished',
  /** Histogram (ms), tags `state`: from the order's start to its end. From the workflow. */
  orderDuration: 'order_duration',
  /** Histogram (ms), tags `step` (ReceiveOrder ... MarkShipped, Compensation). From the workflow. */
  stepDuration: 'order_step_duration',
  /** Counter, tags `outcome` (refunded, voided): compensations run for orders that ended unshipped. From the workflow. */
  compensations: 'order_compensations',
  /** Counter: orders completed after their deadline (dispatched before it). From the workflow. */
  lateOrders: 'order_late',
  /** Counter: orders flagged as owing a refund (the refund outlasted the compensation budget). From the workflow. */
  refundsOwed: 'order_refunds_owed',
  /** Counter, tags `activity`, `outcome` (success, retryable_error, failure). From the activities. */
  activityAttempts: 'order_activity_attempts',
  /** Counter, tags `activity`: a hedged call sent its second request. From the activities. */
  hedgesFired: 'order_hedges_fired',
  /** Counter, tags `activity`: the second request answered first. From the activities. */
  hedgesWon: 'order_hedges_won',
} as const;

/** The app metrics that are histograms; the others are counters. */
const APP_HISTOGRAMS: readonly string[] = [APP_METRICS.orderDuration, APP_METRICS.stepDuration];

/** Prefix of the Temporal SDK's own metrics (the SDK's default); the app's metrics have none. */
export const WORKER_METRIC_PREFIX = 'temporal_';

/**
 * The Temporal SDK runtime metrics the dashboard uses (names without the
 * prefix): the SDK defines them, so this list is checked against a real
 * scrape by the end-to-end observability test.
 */
export const SDK_METRICS = {
  histograms: ['workflow_task_schedule_to_start_latency', 'activity_schedule_to_start_latency', 'workflow_task_execution_latency', 'activity_execution_latency'],
  gauges: ['worker_task_slots_available', 'worker_task_slots_used', 'sticky_cache_size'],
} as const;

/** Every Prometheus series name the workers export that a dashboard may use (the app's, and the SDK's with their prefix). */
export function workerSeriesNames(): string[] {
  const p = WORKER_METRIC_PREFIX;
  const histogram = (name: string) => [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  const app = Object.values(APP_METRICS).flatMap((name) => (APP_HISTOGRAMS.includes(name) ? histogram(name) : [name]));
  return [...app, ...SDK_METRICS.histograms.flatMap((name) => histogram(`${p}${name}`)), ...SDK_METRICS.gauges.map((name) => `${p}${name}`)];
}

/**
 * The reason tag of a finished order: a bounded code. A cancel reason is free
 * text and an invalid order's reason carries its problems, so both are cut
 * down to their kind.
 */
export function reasonCode(state: string, reason: string | null): string {
  if (state === 'completed') return 'none';
  if (state === 'cancelled') return 'cancelled';
  if (!reason) return 'unknown';
  return reason.split(':')[0].trim().replace(/[^a-z0-9_]/gi, '_').toLowerCase() || 'unknown';
}
