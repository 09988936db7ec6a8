/**
 * The one way our workers start: configuration validated, database and Temporal
 * connected, workflows loaded from the pre-built bundle when there is one, and
 * a graceful stop. The Temporal Runtime owns SIGINT/SIGTERM: on a signal the
 * worker stops polling, lets in-flight tasks finish within the shutdown grace
 * time, and `run()` resolves; then connections close and the process exits 0.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { connectionRefusal, createDataSource, initializeWhenReachable, OrderStore } from '@order-fulfillment/db';
import {
  ConfigError,
  booleanEnv,
  connectionOptions,
  createLogger,
  faultsEnabled,
  numberEnv,
  resolveFaultConfig,
  shutdownTracing,
  startTracing,
  stringEnv,
  temporalConfig,
} from '@order-fulfillment/platform';
import type { Env, Logger } from '@order-fulfillment/platform';
import { FaultInjector } from './fault-injector';
import { SandboxCarrier, SandboxGateway, SandboxWarehouse } from './sandbox';
import { sdkLogger } from './sdk-logger';
import { startHealthServer } from './health-server';
import { histogramBucketOverrides, TRACING_WORKFLOW_MODULE, workerInterceptors } from './worker-observability';
import type { ActivityDeps } from './order.activities';

export interface WorkerSpec {
  service: string;
  taskQueue: string;
  /** Resolved path of the workflows entry point, for development bundling. */
  workflowsPath: string;
  /** Path of the pre-built bundle (production). */
  bundlePath: string;
  activities(deps: ActivityDeps): object;
  /** Custom search attributes the workflows upsert: the worker refuses to start when the namespace lacks one (ADR 043). */
  searchAttributes?: readonly string[];
  /**
   * How many activities (remote and local alike) this worker runs at once; the rest wait in the
   * task queue for a worker with a free slot. Default: WORKER_MAX_CONCURRENT_ACTIVITIES.
   */
  activitySlots?: number;
  /** The environment to read configuration from (default: process.env). */
  env?: Env;
}

export interface RunningWorker {
  worker: Worker;
  logger: Logger;
  /** Resolves when the worker has stopped and its connections are closed. */
  done: Promise<void>;
}

/** The bundle with the tracing workflow interceptors, next to the plain one (workflow-bundle.js -> workflow-bundle-traced.js). */
export const tracedBundlePath = (bundlePath: string): string => bundlePath.replace(/\.js$/, '-traced.js');

/**
 * The workflow code: the pre-built bundle, or bundled at start (development).
 * With tracing on, the bundle that has the tracing interceptors built in: a
 * bundle's interceptors cannot be added at start, and the plain bundle keeps
 * workflows free of them when tracing is off.
 */
export async function workflowSource(
  spec: Pick<WorkerSpec, 'bundlePath' | 'workflowsPath'>,
  logger: Logger,
  traced = false,
): Promise<Pick<WorkerOptions, 'workflowBundle'>> {
  const bundlePath = traced ? tracedBundlePath(spec.bundlePath) : spec.bundlePath;
  if (existsSync(bundlePath)) {
    logger.info({ bundle: bundlePath }, 'loading pre-built workflow bundle');
    return { workflowBundle: { codePath: bundlePath } };
  }
  logger.warn({ workflows: spec.workflowsPath, traced }, 'no pre-built workflow bundle; bundling workflows at start (development)');
  const workflowInterceptorModules = traced ? [require.resolve(TRACING_WORKFLOW_MODULE)] : undefined;
  return { workflowBundle: await bundleWorkflowCode({ workflowsPath: spec.workflowsPath, workflowInterceptorModules, logger: quietBundlerLogger }) };
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`bundler: ${message}\n`),
  error: (message: string) => process.stderr.write(`bundler: ${message}\n`),
};

/** The SDK's log level follows LOG_LEVEL (pino names), INFO by default. */
function sdkLogLevel(env: Env): 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' {
  const level = (env['LOG_LEVEL'] ?? 'info').toUpperCase();
  if (level === 'FATAL' || level === 'SILENT') return 'ERROR';
  return (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const).find((l) => l === level) ?? 'INFO';
}

export async function startWorker(spec: WorkerSpec): Promise<RunningWorker> {
  const env = spec.env ?? process.env;
  const logger = createLogger(spec.service, env);
  const temporal = temporalConfig(env);
  const faultConfig = resolveFaultConfig(env);
  const shutdownGraceMs = numberEnv(env, 'WORKER_SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 300_000 });
  const maxActivities = spec.activitySlots ?? numberEnv(env, 'WORKER_MAX_CONCURRENT_ACTIVITIES', 1_000, { min: 1, max: 100_000 });
  const maxLocalActivities = spec.activitySlots ?? 200;
  // Measured (bench:faults, 2 cores): 40 concurrent workflow tasks keeps every
  // task short; 100 let local-activity chains starve each other until workflow
  // tasks timed out and were redone, and throughput collapsed.
  const maxWorkflowTasks = numberEnv(env, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 40, { min: 2, max: 10_000 });
  const workflowPollers = numberEnv(env, 'WORKER_WORKFLOW_POLLERS', 20, { min: 2, max: 1_000 });
  const activityPollers = numberEnv(env, 'WORKER_ACTIVITY_POLLERS', 20, { min: 1, max: 1_000 });
  const healthPort = numberEnv(env, 'WORKER_HEALTH_PORT', 0, { min: 0, max: 65_535 });
  // The Temporal SDK's own metrics (task slots, poll and schedule-to-start latencies) for Prometheus on /metrics; 0 = off.
  const metricsPort = numberEnv(env, 'WORKER_METRICS_PORT', 0, { min: 0, max: 65_535 });
  // The sandbox carrier and warehouse can answer as slowly as real ones (0: at once).
  const carrierLatencyMs = numberEnv(env, 'SANDBOX_CARRIER_LATENCY_MS', 0, { min: 0, max: 600_000 });
  const packingLatencyMs = numberEnv(env, 'SANDBOX_PACKING_LATENCY_MS', 0, { min: 0, max: 600_000 });
  const dataSource = createDataSource({
    url: stringEnv(env, 'DATABASE_URL'),
    poolSize: numberEnv(env, 'DATABASE_POOL_SIZE', 20, { min: 1, max: 500 }),
    applicationName: spec.service,
    preparedStatements: booleanEnv(env, 'DATABASE_PREPARED_STATEMENTS', true),
    // A failed statement is one line of this worker's log, with the activity's order fields and without its parameters.
    log: logger,
  });

  Runtime.install({
    logger: sdkLogger(logger, sdkLogLevel(env)),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    ...(metricsPort
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${metricsPort}`, histogramBucketOverrides } } } }
      : {}),
  });
  if (metricsPort) logger.info({ port: metricsPort }, 'Temporal SDK and order metrics for Prometheus on /metrics');
  // OTEL_EXPORTER_OTLP_ENDPOINT set: spans over OTLP (ADR 044); unset: nothing is loaded or registered.
  const tracing = startTracing(spec.service, env);
  if (tracing) logger.info({ endpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT'] }, 'tracing: spans exported over OTLP');
  const { interceptors, sinks } = workerInterceptors(tracing);
  // Probes for Kubernetes and compose (WORKER_HEALTH_PORT; 0 = off): see health-server.ts. Up before
  // the database is: alive and not ready while the worker waits for it, so a startup or liveness
  // probe does not restart a worker that is only waiting (ADR 053).
  let created: Worker | null = null;
  const health = healthPort ? await startHealthServer(healthPort, () => created?.getState() ?? 'INITIALIZED') : null;
  if (health) logger.info({ port: health.port }, 'health endpoints on /health/live and /health/ready');
  await waitForDatabase(dataSource, logger);
  const faults = new FaultInjector(faultConfig);
  if (faultsEnabled(faultConfig)) logger.warn({ faults: faultConfig }, 'fault injection is ON');

  const connection = await NativeConnection.connect(connectionOptions(temporal));
  if (spec.searchAttributes?.length) {
    await requireSearchAttributes(connection, temporal.namespace, spec.searchAttributes, logger).catch(async (err: unknown) => {
      await connection.close().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      throw err;
    });
  }
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: spec.taskQueue,
    ...(await workflowSource(spec, logger, tracing !== null)),
    interceptors,
    sinks,
    activities: spec.activities({
      store: new OrderStore(dataSource),
      faults,
      logger,
      gateway: new SandboxGateway(dataSource),
      carrier: new SandboxCarrier(dataSource, { latencyMs: carrierLatencyMs }),
      warehouse: new SandboxWarehouse({ latencyMs: packingLatencyMs }),
    }),
    shutdownGraceTime: shutdownGraceMs,
    maxConcurrentActivityTaskExecutions: maxActivities,
    maxConcurrentWorkflowTaskExecutions: maxWorkflowTasks,
    maxConcurrentWorkflowTaskPolls: Math.min(workflowPollers, maxWorkflowTasks),
    maxConcurrentActivityTaskPolls: Math.min(activityPollers, maxActivities),
    maxConcurrentLocalActivityExecutions: maxLocalActivities,
  });
  logger.info(
    { taskQueue: spec.taskQueue, namespace: temporal.namespace, address: temporal.address, activitySlots: maxActivities, carrierLatencyMs, packingLatencyMs },
    'worker started',
  );

  created = worker;
  const done = worker.run().finally(async () => {
    await health?.close();
    await connection.close().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    await shutdownTracing().catch(() => undefined);
    logger.info('worker stopped');
  });
  return { worker, logger, done };
}

/**
 * A worker whose database does not answer yet (starting, failing over) waits
 * for it before it polls, rather than exiting into a crash loop whose back-off
 * outlasts the outage (ADR 053); it polls within 2 s of the database's
 * return. It does not poll meanwhile: every task it took would fail. SIGINT or
 * SIGTERM during the wait ends the process (0), as a stop would. A database
 * that answers and refuses (a wrong password, no such database) stops the
 * start-up as a configuration error (exit 2), as it stops the API's.
 */
async function waitForDatabase(dataSource: DataSource, logger: Logger): Promise<void> {
  let stopping = false;
  const stop = () => (stopping = true);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop);
  try {
    const connected = await initializeWhenReachable(dataSource, {
      stopped: () => stopping,
      onWait: (err, attempts) =>
        logger.warn({ err: err instanceof Error ? err.message : String(err), attempts }, 'the database does not answer; waiting for it before polling'),
    }).catch((err: unknown) => {
      const refusal = connectionRefusal(err);
      throw refusal ? new ConfigError(refusal) : err;
    });
    if (!connected) {
      logger.info('stopped while waiting for the database');
      process.exit(0);
    }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, stop);
  }
}

/**
 * An order whose workflow upserts a search attribute the namespace does not
 * have fails its workflow task, again and again. Better to refuse to start,
 * saying what to register, than to take orders that cannot move.
 */
export async function requireSearchAttributes(connection: NativeConnection, namespace: string, names: readonly string[], logger?: Logger): Promise<void> {
  let customAttributes: Record<string, unknown> | null | undefined;
  try {
    ({ customAttributes } = await connection.operatorService.listSearchAttributes({ namespace }));
  } catch (err) {
    // Some deployments do not let workers call the operator service: say so, and go on.
    logger?.warn({ err: err instanceof Error ? err.message : String(err), searchAttributes: names }, 'could not check the search attributes; make sure they are registered');
    return;
  }
  const missing = names.filter((name) => !(name in (customAttributes ?? {})));
  if (missing.length) {
    throw new Error(
      `search attributes missing in namespace "${namespace}": ${missing.join(', ')}; register them first ` +
        '(temporal operator search-attribute create --name <Name> --type <Keyword|Int>; README, Observability)',
    );
  }
}

/**
 * Build step of each worker: bundles its workflows into `outFile`, which the
 * worker loads in production. Any bundling error exits the process non-zero.
 */
export function buildWorkflowBundle(workflowsPath: string, outFile: string): void {
  const build = async (file: string, workflowInterceptorModules?: string[]) => {
    const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quietBundlerLogger });
    await writeFile(file, code);
    console.log(`workflow bundle written: ${file} (${(code.length / 1024).toFixed(0)} KiB)`);
  };
  // Two bundles: the plain one, and one with the tracing interceptors for when tracing is on.
  build(outFile)
    .then(() => build(tracedBundlePath(outFile), [require.resolve(TRACING_WORKFLOW_MODULE)]))
    .catch((err: unknown) => {
      console.error('workflow bundle failed:', err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
