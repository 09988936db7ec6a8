/**
 * The worker's observability wiring (ADR 042, 044, 045): histogram buckets
 * for the order metrics, each activity run inside its log context, and, when
 * tracing is on, the OpenTelemetry interceptors and the workflows' span sink.
 */
import { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory, WorkerInterceptors, WorkerOptions } from '@temporalio/worker';
import { APP_METRICS, orderIdOfWorkflowId } from '@order-fulfillment/contracts';
import { withLogContext } from '@order-fulfillment/platform';
import type { Tracing } from '@order-fulfillment/platform';

/** Milliseconds; 15 000 is the order budget (SPEC), so the dashboard can draw the line on a bucket edge. */
export const ORDER_DURATION_BUCKETS_MS = [
  50, 100, 250, 500, 1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000,
];
export const STEP_DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 15_000, 30_000, 60_000];

export const histogramBucketOverrides: Record<string, number[]> = {
  [APP_METRICS.orderDuration]: ORDER_DURATION_BUCKETS_MS,
  [APP_METRICS.stepDuration]: STEP_DURATION_BUCKETS_MS,
};

/** Runs each activity inside its log context: orderId, workflowId, runId, activity, attempt. */
export const activityLogContext: ActivityInterceptorsFactory = (ctx: Context) => ({
  inbound: {
    execute: (input, next) => {
      const { workflowExecution, activityType, attempt } = ctx.info;
      const workflowId = workflowExecution?.workflowId;
      const orderId = workflowId ? orderIdOfWorkflowId(workflowId) : null;
      return withLogContext(
        {
          ...(orderId ? { orderId } : {}),
          ...(workflowId ? { workflowId, runId: workflowExecution?.runId } : {}),
          activity: activityType,
          attempt,
        },
        () => next(input),
      );
    },
  },
});

/** The workflow interceptor module tracing needs in the workflow bundle. */
export const TRACING_WORKFLOW_MODULE = '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';

/** Interceptors and sinks for Worker.create: the log context always, tracing when it is on. */
export function workerInterceptors(tracing: Tracing | null): {
  interceptors: WorkerInterceptors;
  sinks: NonNullable<WorkerOptions['sinks']>;
} {
  if (!tracing) return { interceptors: { activity: [activityLogContext] }, sinks: {} };
  const otel =
    require('@temporalio/interceptors-opentelemetry/lib/worker') as typeof import('@temporalio/interceptors-opentelemetry/lib/worker');
  const otelClient =
    require('@temporalio/interceptors-opentelemetry/lib/client') as typeof import('@temporalio/interceptors-opentelemetry/lib/client');
  const { tracer, spanProcessor, resource } = tracing;
  return {
    interceptors: {
      // The worker's own client (activities' Context.client: the shipping child's RequestDispatch
      // update, ADR 047) carries the trace on, so the parent's handling of it joins the order's trace.
      client: { workflow: [new otelClient.OpenTelemetryWorkflowClientInterceptor({ tracer })] },
      activity: [
        activityLogContext,
        (ctx) => ({
          inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
          outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: otel.makeWorkflowExporter(spanProcessor, resource) },
  };
}
