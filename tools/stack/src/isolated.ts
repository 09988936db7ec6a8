/**
 * The whole system on free ports, with a throw-away database (embedded, or on
 * DATABASE_URL's server) and an in-memory Temporal: what the end-to-end and
 * CLI suites and the benchmark run against, side by side with anything else.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, startTestDatabase } from '@order-fulfillment/infra';
import { startStack } from './stack';
import type { Stack } from './stack';

export interface IsolatedStack {
  stack: Stack;
  /** Where the apps' and Temporal's logs are. */
  logsDir: string;
  /** Stops the stack and drops its database; keeps the logs when asked to. */
  stop(options?: { keepLogs?: boolean }): Promise<void>;
}

/**
 * `appEnv` must say how the API authenticates: AUTH_DISABLED=true or API_KEY
 * (the API refuses to start with neither).
 */
export async function startIsolatedStack(name: string, appEnv: NodeJS.ProcessEnv = {}): Promise<IsolatedStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `of-${name}-`));
  chmodSync(dataDir, 0o755); // reachable by the postgres user when run as root
  const database = await startTestDatabase(name);
  try {
    const stack = await startStack({
      root: repoRoot(),
      dataDir,
      ports: { api: await freePort(), apiMetrics: await freePort(), temporal: await freePort(), temporalUi: await freePort(), postgres: 0 },
      databaseUrl: database.url,
      temporalDbFile: null,
      appEnv,
    });
    return {
      stack,
      logsDir: join(dataDir, 'logs'),
      async stop({ keepLogs = false } = {}) {
        await stack.stop();
        await database.stop();
        if (!keepLogs) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await database.stop();
    throw err;
  }
}
