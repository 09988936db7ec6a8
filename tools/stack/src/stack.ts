/**
 * The whole system on one machine: Temporal dev server, PostgreSQL, migrations,
 * the API and both workers, each app started from its build output exactly as
 * its container's CMD does. Used by ./scripts/quick-start.sh and by the
 * end-to-end tests.
 */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeSpecs } from '@order-fulfillment/contracts';
import { migrate } from '@order-fulfillment/db';
import { freePort, resolveTemporalCli, spawnManaged, startPostgres, startTemporalServer, waitFor } from '@order-fulfillment/infra';
import type { ManagedProcess, Postgres, TemporalServer } from '@order-fulfillment/infra';

export type AppName = 'api' | 'order-worker' | 'shipping-worker';
export const ALL_APPS: readonly AppName[] = ['api', 'order-worker', 'shipping-worker'];

/**
 * One running process of an app: the app's name for its first (or only)
 * process, `shipping-worker-2`, `shipping-worker-3`, ... for the extra
 * shipping workers. Each has its own log file and health port.
 */
export type InstanceName = AppName | `shipping-worker-${number}`;

/** The instances of the shipping worker when there are `count` of them. */
export const shippingWorkerInstances = (count: number): InstanceName[] =>
  Array.from({ length: count }, (_, i): InstanceName => (i === 0 ? 'shipping-worker' : `shipping-worker-${i + 1}`));

/**
 * The apps' settings for measuring and testing shipping workers: shipping is the slow part
 * (every carrier call takes `carrierLatencyMs`) and runs as remote activities, so work a busy
 * worker cannot take waits in shipping-tq for another one; each worker takes one call at a
 * time; the order's budget is long enough that a queue of shipments is not a failed deadline;
 * a stopping worker has time to finish its call.
 */
export const slowShippingEnv = (carrierLatencyMs: number): NodeJS.ProcessEnv => ({
  RATE_LIMIT_MAX: '0',
  LOG_LEVEL: 'warn',
  ORDER_REVIEW_MS: '500',
  ORDER_DEADLINE_MS: '600000',
  SANDBOX_CARRIER_LATENCY_MS: String(carrierLatencyMs),
  SHIPPING_WORKER_SLOTS: '1',
  PREPARE_PACKAGE_LOCAL: 'false',
  DISPATCH_CARRIER_LOCAL: 'false',
  DISPATCH_CARRIER_START_TO_CLOSE_MS: String(carrierLatencyMs * 3 + 2_000),
  DISPATCH_CARRIER_HEDGE_AFTER_MS: '0',
  WORKER_SHUTDOWN_GRACE_MS: String(Math.min(carrierLatencyMs * 3 + 2_000, 18_000)),
});

/** Which app an instance runs. */
export const appOf = (instance: InstanceName): AppName => (instance.startsWith('shipping-worker') ? 'shipping-worker' : (instance as AppName));

export interface StackOptions {
  /** Repository root (where apps/ and libs/ are). */
  root: string;
  /** Where data and logs go. */
  dataDir: string;
  ports: {
    api: number;
    temporal: number;
    temporalUi: number;
    postgres: number;
    /** The API's metrics port (METRICS_PORT); the API's default (9464) when absent. */
    apiMetrics?: number;
    /** The Temporal dev server's own metrics (Prometheus); not served when absent. */
    temporalMetrics?: number;
  };
  /** Use this PostgreSQL instead of an embedded one. */
  databaseUrl?: string;
  /** Keep Temporal's state in this SQLite file; null keeps it in memory. */
  temporalDbFile: string | null;
  /** Use this Temporal instead of starting a dev server. */
  temporalAddress?: string;
  /** Extra environment for the apps (ORDER_REVIEW_MS, RETRY_MODE, FAULT_*, ...). */
  appEnv?: NodeJS.ProcessEnv;
  /** Environment for one app instance only, over appEnv (a port each worker needs its own of, such as WORKER_METRICS_PORT). */
  appEnvFor?: Partial<Record<InstanceName, NodeJS.ProcessEnv>>;
  apps?: readonly AppName[];
  /** How many shipping-worker processes, all polling shipping-tq (default 1). */
  shippingWorkers?: number;
  /**
   * Health port (WORKER_HEALTH_PORT) of the first worker; the next ones count up from it
   * (order-worker = base, shipping-worker = base + 1, shipping-worker-2 = base + 2, ...).
   * Free ports are picked when absent.
   */
  workerHealthBasePort?: number;
  log?: (line: string) => void;
  /** Aborting stops whatever has started so far and rejects (Ctrl-C during start-up). */
  signal?: AbortSignal;
  /**
   * After start-up, an app that exits when nobody asked it to is started
   * again, as a compose `restart: unless-stopped` policy would; false turns
   * that off. Defaults: 500 ms doubling to 10 s, reset once an app stayed up 30 s.
   */
  restart?: Partial<RestartPolicy> | false;
}

export interface RestartPolicy {
  /** Delay before the first restart. */
  initialDelayMs: number;
  /** The delay doubles per consecutive crash up to this. */
  maxDelayMs: number;
  /** An app that stayed up this long before it died starts again from initialDelayMs. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 10_000, resetAfterMs: 30_000 };

/** The delay before restart number `consecutive` (1 = first crash since the app was last healthy). */
export const restartDelay = (policy: RestartPolicy, consecutive: number): number =>
  Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, consecutive - 1));

export interface Stack {
  apiUrl: string;
  /** Where the API serves Prometheus metrics (a port of its own). */
  apiMetricsUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  databaseUrl: string;
  /** The running process of each app instance (replaced when the supervisor restarts one). */
  processes: Map<InstanceName, ManagedProcess>;
  /** Each worker instance's health endpoint base URL (`/health/live`, `/health/ready`). */
  readonly workerHealthUrls: Map<InstanceName, string>;
  /** The Temporal dev server the stack started (null with an external Temporal). */
  readonly temporal: TemporalServer | null;
  /**
   * Stops the Temporal dev server (SIGTERM), waits `downMs`, starts it again
   * on the same ports and, when it has one, the same SQLite file.
   */
  restartTemporal(downMs?: number): Promise<void>;
  /**
   * Starts (or restarts) one app instance and waits until it is ready; supervised like the
   * others. A new `shipping-worker-N` adds a shipping worker (scale-out).
   */
  startApp(name: InstanceName): Promise<ManagedProcess>;
  /**
   * Stops one app instance on purpose (SIGTERM: a worker finishes its in-flight tasks first);
   * the supervisor leaves it stopped until startApp (scale-in).
   */
  stopApp(name: InstanceName): Promise<number | string>;
  /** Restarts of each app instance by the supervisor so far. */
  restarts: Map<InstanceName, number>;
  stop(): Promise<void>;
}

export const appEntry = (root: string, name: AppName): string => join(root, 'apps', name, 'dist', 'main.js');

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const logsDir = join(options.dataDir, 'logs');
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => log(`stop: ${String(err)}`));
    cleanups.length = 0;
  };

  // Every start-up step races the abort signal, so Ctrl-C during start-up
  // stops what has started instead of leaving it running.
  const interrupted = new Promise<never>((_, reject) => {
    const fail = () => reject(new Error('start-up interrupted'));
    if (options.signal?.aborted) fail();
    options.signal?.addEventListener('abort', fail, { once: true });
  });
  interrupted.catch(() => undefined);
  const step = <T>(work: Promise<T>): Promise<T> => Promise.race([work, interrupted]);

  try {
    let temporal: TemporalServer | null = null;
    let temporalAddress = options.temporalAddress;
    const temporalOptions = !temporalAddress
      ? {
          cli: resolveTemporalCli({ root: options.root, log }),
          port: options.ports.temporal,
          uiPort: options.ports.temporalUi,
          dbFile: options.temporalDbFile ?? undefined,
          logFile: join(logsDir, 'temporal.log'),
          // The orders' search attributes (OrderState, ...): the workflows upsert them.
          searchAttributes: searchAttributeSpecs(),
          metricsPort: options.ports.temporalMetrics,
        }
      : null;
    if (temporalOptions) {
      const starting = startTemporalServer(temporalOptions);
      // Whichever server is current when the stack stops (restartTemporal replaces it).
      cleanups.push(async () => {
        await starting.catch(() => null);
        await temporal?.stop();
      });
      temporal = await step(starting);
      temporalAddress = temporal.address;
      log(`temporal: ${temporal.address} (UI ${temporal.uiUrl})`);
    }
    if (!temporalAddress) throw new Error('no Temporal address');
    const restartTemporal = async (downMs = 0): Promise<void> => {
      if (!temporal || !temporalOptions) throw new Error('restartTemporal: the stack uses an external Temporal');
      await temporal.stop();
      log(`temporal: stopped${temporalOptions.dbFile ? ` (state kept in ${temporalOptions.dbFile})` : ' (in memory: its state is gone)'}`);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      temporal = await startTemporalServer(temporalOptions);
      log(`temporal: started again on ${temporal.address}`);
    };

    const startingPostgres = startPostgres({
      databaseUrl: options.databaseUrl,
      dataDir: join(options.dataDir, 'pg'),
      port: options.ports.postgres,
      log,
    });
    cleanups.push(async () => (await startingPostgres.catch(() => null))?.stop());
    const postgres: Postgres = await step(startingPostgres);
    log(`postgres: ${postgres.embedded ? 'embedded' : 'DATABASE_URL'} ${redact(postgres.url)}`);

    const applied = await step(migrate(postgres.url));
    log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: schema is up to date');

    const apiUrl = `http://127.0.0.1:${options.ports.api}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.appEnv,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporalAddress,
      PORT: String(options.ports.api),
      ...(options.ports.apiMetrics ? { METRICS_PORT: String(options.ports.apiMetrics) } : {}),
    };
    const processes = new Map<InstanceName, ManagedProcess>();
    const policy: RestartPolicy | null = options.restart === false ? null : { ...DEFAULT_RESTART_POLICY, ...options.restart };
    const supervisor = { stopping: false, started: false };
    const stoppedOnPurpose = new Set<InstanceName>();
    const restarts = new Map<InstanceName, number>();
    const consecutive = new Map<InstanceName, number>();
    const pending = new Map<InstanceName, NodeJS.Timeout>();
    // A worker instance keeps its health port across restarts, so probes and scrapes find it again.
    const healthPorts = new Map<InstanceName, number>();
    const healthPortOf = async (name: InstanceName): Promise<number> => {
      const known = healthPorts.get(name);
      if (known) return known;
      const index = name === 'order-worker' ? 0 : name === 'shipping-worker' ? 1 : Number(name.slice('shipping-worker-'.length));
      const port = options.workerHealthBasePort ? options.workerHealthBasePort + index : await freePort();
      healthPorts.set(name, port);
      return port;
    };
    const spawnApp = (name: InstanceName): ManagedProcess => {
      const healthPort = healthPorts.get(name);
      const app = spawnManaged(name, process.execPath, [appEntry(options.root, appOf(name))], {
        env: { ...env, ...(healthPort ? { WORKER_HEALTH_PORT: String(healthPort) } : {}), ...options.appEnvFor?.[name] },
        logFile: join(logsDir, `${name}.log`),
      });
      processes.set(name, app);
      stoppedOnPurpose.delete(name);
      const spawnedAt = Date.now();
      void app.exited.then((code) => {
        // Only the current process of a supervised, running stack, and not one stopped on purpose.
        if (!policy || !supervisor.started || supervisor.stopping || stoppedOnPurpose.has(name) || processes.get(name) !== app) return;
        const crashes = Date.now() - spawnedAt >= policy.resetAfterMs ? 1 : (consecutive.get(name) ?? 0) + 1;
        consecutive.set(name, crashes);
        const count = (restarts.get(name) ?? 0) + 1;
        restarts.set(name, count);
        const delay = restartDelay(policy, crashes);
        log(`${name} exited (${code}); restarting in ${delay} ms (restart #${count}); see ${app.logFile}`);
        pending.set(
          name,
          setTimeout(() => {
            pending.delete(name);
            if (supervisor.stopping || stoppedOnPurpose.has(name)) return;
            const again = spawnApp(name);
            const ready = name === 'api' ? apiReady(apiUrl) : workerReady(temporalAddress as string, name, again);
            // Readiness is only reported: a restart that dies again is caught by its own exit.
            void Promise.race([ready.then(() => true), again.exited.then(() => false)]).then(
              (up) => up && !supervisor.stopping && log(`${name}: ready again (restart #${count})`),
              (err: unknown) => log(`${name}: not ready after restart #${count}: ${err instanceof Error ? err.message : String(err)}`),
            );
          }, delay),
        );
      });
      return app;
    };
    const startApp = async (name: InstanceName): Promise<ManagedProcess> => {
      if (name !== 'api') await healthPortOf(name);
      const app = spawnApp(name);
      const died = app.exited.then((code) => {
        throw new Error(`${name} exited (${code}) during start-up; see ${app.logFile}`);
      });
      died.catch(() => undefined);
      const ready = name === 'api' ? apiReady(apiUrl) : workerReady(temporalAddress as string, name, app);
      await step(Promise.race([ready, died]));
      return app;
    };
    const stopApp = async (name: InstanceName): Promise<number | string> => {
      stoppedOnPurpose.add(name);
      clearTimeout(pending.get(name));
      pending.delete(name);
      return (await processes.get(name)?.stop('SIGTERM', 20_000)) ?? 'not running';
    };
    cleanups.push(async () => {
      // Apps first (they drain in-flight work), then the servers they use.
      supervisor.stopping = true;
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
      await Promise.all([...processes.values()].map((p) => p.stop('SIGTERM', 20_000)));
    });
    const shippingWorkers = options.shippingWorkers ?? 1;
    if (!Number.isInteger(shippingWorkers) || shippingWorkers < 1) throw new Error(`shippingWorkers: ${shippingWorkers} is not a whole number of at least 1`);
    const instances = (options.apps ?? ALL_APPS).flatMap((app): InstanceName[] => (app === 'shipping-worker' ? shippingWorkerInstances(shippingWorkers) : [app]));
    for (const name of instances) {
      await startApp(name);
      log(`${name}: ready${healthPorts.has(name) ? ` (health on :${healthPorts.get(name)})` : ''}`);
    }
    supervisor.started = true;
    return {
      apiUrl,
      apiMetricsUrl: `http://127.0.0.1:${options.ports.apiMetrics ?? 9464}/metrics`,
      temporalAddress,
      temporalUiUrl: temporal?.uiUrl ?? null,
      databaseUrl: postgres.url,
      processes,
      get workerHealthUrls() {
        return new Map([...healthPorts].map(([name, port]) => [name, `http://127.0.0.1:${port}`]));
      },
      get temporal() {
        return temporal;
      },
      restartTemporal,
      startApp,
      stopApp,
      restarts,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function apiReady(apiUrl: string): Promise<void> {
  await waitFor(`API ${apiUrl}/health/ready`, async () => (await fetch(`${apiUrl}/health/ready`)).ok, {
    timeoutMs: 60_000,
    intervalMs: 250,
  });
}

/** A worker is ready when this very process polls its task queue (the SDK's identity is `<pid>@<host>`). */
async function workerReady(address: string, name: InstanceName, app: ManagedProcess): Promise<void> {
  const since = Date.now() - 1_000;
  const taskQueue = appOf(name) === 'order-worker' ? 'orders-tq' : 'shipping-tq';
  const identity = `${app.child.pid}@`;
  const connection = await Connection.connect({ address });
  try {
    await waitFor(
      `${name} polling ${taskQueue}`,
      async () => {
        const response = await connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
          taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
        });
        // Only pollers seen since this start count (a restarted server may list old ones).
        return (response.pollers ?? []).some((p) => (p.identity ?? '').startsWith(identity) && Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since);
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
  } finally {
    await connection.close();
  }
}

export const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
