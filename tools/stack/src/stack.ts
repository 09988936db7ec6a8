/**
 * The whole system on one machine: Temporal dev server, PostgreSQL, migrations,
 * the API and both workers, each app started from its build output exactly as
 * its container's CMD does. Used by ./scripts/quick-start.sh and by the
 * end-to-end tests.
 */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { migrate } from '@order-fulfillment/db';
import { resolveTemporalCli, spawnManaged, startPostgres, startTemporalServer, waitFor } from '@order-fulfillment/infra';
import type { ManagedProcess, Postgres, TemporalServer } from '@order-fulfillment/infra';

export type AppName = 'api' | 'order-worker' | 'shipping-worker';
export const ALL_APPS: readonly AppName[] = ['api', 'order-worker', 'shipping-worker'];

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
  };
  /** Use this PostgreSQL instead of an embedded one. */
  databaseUrl?: string;
  /** Keep Temporal's state in this SQLite file; null keeps it in memory. */
  temporalDbFile: string | null;
  /** Use this Temporal instead of starting a dev server. */
  temporalAddress?: string;
  /** Extra environment for the apps (ORDER_REVIEW_MS, RETRY_MODE, FAULT_*, ...). */
  appEnv?: NodeJS.ProcessEnv;
  apps?: readonly AppName[];
  log?: (line: string) => void;
  /** Aborting stops whatever has started so far and rejects (Ctrl-C during start-up). */
  signal?: AbortSignal;
}

export interface Stack {
  apiUrl: string;
  /** Where the API serves Prometheus metrics (a port of its own). */
  apiMetricsUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  databaseUrl: string;
  processes: Map<AppName, ManagedProcess>;
  /** Starts (or restarts) one app. */
  startApp(name: AppName): Promise<ManagedProcess>;
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
    if (!temporalAddress) {
      const cli = resolveTemporalCli({ root: options.root, log });
      const starting = startTemporalServer({
        cli,
        port: options.ports.temporal,
        uiPort: options.ports.temporalUi,
        dbFile: options.temporalDbFile ?? undefined,
        logFile: join(logsDir, 'temporal.log'),
      });
      cleanups.push(async () => (await starting.catch(() => null))?.stop());
      temporal = await step(starting);
      temporalAddress = temporal.address;
      log(`temporal: ${temporal.address} (UI ${temporal.uiUrl})`);
    }

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
    const processes = new Map<AppName, ManagedProcess>();
    const startApp = async (name: AppName): Promise<ManagedProcess> => {
      const app = spawnManaged(name, process.execPath, [appEntry(options.root, name)], { env, logFile: join(logsDir, `${name}.log`) });
      processes.set(name, app);
      const died = app.exited.then((code) => {
        throw new Error(`${name} exited (${code}) during start-up; see ${app.logFile}`);
      });
      died.catch(() => undefined);
      const ready = name === 'api' ? apiReady(apiUrl) : workerReady(temporalAddress as string, name);
      await step(Promise.race([ready, died]));
      return app;
    };
    cleanups.push(async () => {
      // Apps first (they drain in-flight work), then the servers they use.
      await Promise.all([...processes.values()].map((p) => p.stop('SIGTERM', 20_000)));
    });
    for (const name of options.apps ?? ALL_APPS) {
      await startApp(name);
      log(`${name}: ready`);
    }
    return {
      apiUrl,
      apiMetricsUrl: `http://127.0.0.1:${options.ports.apiMetrics ?? 9464}/metrics`,
      temporalAddress,
      temporalUiUrl: temporal?.uiUrl ?? null,
      databaseUrl: postgres.url,
      processes,
      startApp,
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

/** A worker is ready when it polls its task queue. */
async function workerReady(address: string, name: AppName): Promise<void> {
  const since = Date.now() - 1_000;
  const taskQueue = name === 'order-worker' ? 'orders-tq' : 'shipping-tq';
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
        return (response.pollers ?? []).some((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since);
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
  } finally {
    await connection.close();
  }
}

export const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
