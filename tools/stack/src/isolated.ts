/**
 * The whole system on free ports, with a throw-away database (embedded, or on
 * DATABASE_URL's server) and an in-memory Temporal: what the end-to-end and
 * CLI suites and the benchmark run against, side by side with anything else.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, onInterrupt, repoRoot, startTestDatabase } from '@order-fulfillment/infra';
import { startStack } from './stack';
import type { AppName, Stack, StackOptions } from './stack';
import type { TestDatabase } from '@order-fulfillment/infra';

export interface IsolatedStack {
  stack: Stack;
  /** The stack's own database (its `outage` stops and starts an embedded server). */
  database: TestDatabase;
  /** Where the apps' and Temporal's logs are. */
  logsDir: string;
  /**
   * The process id of each part now (Temporal dev server, each app, the
   * database's postmaster; null when not running or not the stack's own, like
   * a shared DATABASE_URL server): for CPU and memory readings of process trees.
   */
  pids(): Record<'temporal' | AppName | 'postgres', number | null>;
  /** Stops the stack and drops its database; keeps the logs when asked to. */
  stop(options?: { keepLogs?: boolean }): Promise<void>;
}

export interface IsolatedStackOptions {
  /** Keep Temporal's state in a SQLite file in the stack's folder, so restartTemporal keeps workflows (default: in memory). */
  temporalFile?: boolean;
  /** An embedded PostgreSQL even when DATABASE_URL is set, so the test can stop it (database.outage). */
  embeddedPostgres?: boolean;
  /** The stack's log lines (start-up, the supervisor's restarts). */
  log?: (line: string) => void;
  restart?: StackOptions['restart'];
  appEnvFor?: StackOptions['appEnvFor'];
  /** The apps to start (default: all of them; none for a bare Temporal server and database). */
  apps?: readonly AppName[];
  /** Shipping-worker processes (default 1). */
  shippingWorkers?: number;
  /** Serve the Temporal dev server's own metrics on a free port (`stack.temporal.metricsUrl`). */
  temporalMetrics?: boolean;
}

/**
 * `appEnv` must say how the API authenticates: AUTH_DISABLED=true or API_KEY
 * (the API refuses to start with neither).
 */
export async function startIsolatedStack(name: string, appEnv: NodeJS.ProcessEnv = {}, options: IsolatedStackOptions = {}): Promise<IsolatedStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `of-${name}-`));
  chmodSync(dataDir, 0o755); // reachable by the postgres user when run as root
  const database = await startTestDatabase(name, { embedded: options.embeddedPostgres });
  try {
    const stack = await startStack({
      root: repoRoot(),
      dataDir,
      ports: {
        api: await freePort(),
        apiMetrics: await freePort(),
        temporal: await freePort(),
        temporalUi: await freePort(),
        postgres: 0,
        ...(options.temporalMetrics ? { temporalMetrics: await freePort() } : {}),
      },
      databaseUrl: database.url,
      temporalDbFile: options.temporalFile ? join(dataDir, 'temporal.sqlite') : null,
      appEnv,
      appEnvFor: options.appEnvFor,
      log: options.log,
      restart: options.restart,
      apps: options.apps,
      shippingWorkers: options.shippingWorkers,
    });
    const pidOf = (name: AppName): number | null => {
      const child = stack.processes.get(name)?.child;
      return child && child.exitCode === null && child.signalCode === null ? (child.pid ?? null) : null;
    };
    const teardown = async (keepLogs: boolean) => {
      await stack.stop();
      await database.stop();
      if (!keepLogs) rmSync(dataDir, { recursive: true, force: true });
    };
    // Interrupted (Ctrl-C, a SIGTERM to the harness alone): stopped and removed as by stop().
    const forget = onInterrupt(() => teardown(false));
    return {
      stack,
      database,
      logsDir: join(dataDir, 'logs'),
      pids: () => ({
        temporal: stack.temporal?.process.child.pid ?? null,
        api: pidOf('api'),
        'order-worker': pidOf('order-worker'),
        'shipping-worker': pidOf('shipping-worker'),
        postgres: database.pid(),
      }),
      async stop({ keepLogs = false } = {}) {
        forget();
        await teardown(keepLogs);
      },
    };
  } catch (err) {
    await database.stop();
    throw err;
  }
}
