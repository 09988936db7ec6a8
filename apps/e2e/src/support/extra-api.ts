/**
 * A second API process with its own environment (API_KEY, rate limit, CORS,
 * log level, review time...), started from the build output exactly as the
 * stack starts the main one, against the suite's Temporal and PostgreSQL.
 */
import { join } from 'node:path';
import { appEntry, freePort, repoRoot, spawnManaged, waitFor } from '@order-fulfillment/stack';
import type { ManagedProcess } from '@order-fulfillment/stack';
import { databaseUrl, logsDir, temporalAddress } from './helpers';

export interface ExtraApi {
  url: string;
  logFile: string;
  process: ManagedProcess;
  stop(): Promise<number | string>;
}

export async function startApi(name: string, env: Record<string, string>): Promise<ExtraApi> {
  const port = await freePort();
  const logFile = join(logsDir(), `api-${name}-${port}.log`);
  const proc = spawnManaged(`api-${name}`, process.execPath, [appEntry(repoRoot(), 'api')], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      ALLOW_FAULT_INJECTION: 'true',
      ...env,
      DATABASE_URL: databaseUrl(),
      TEMPORAL_ADDRESS: temporalAddress(),
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  const died = proc.exited.then((code) => {
    throw new Error(`api-${name} exited (${code}) during start-up; see ${logFile}`);
  });
  died.catch(() => undefined);
  await Promise.race([waitFor(`api-${name} ${url}/health/ready`, async () => (await fetch(`${url}/health/ready`)).ok, { timeoutMs: 30_000, intervalMs: 100 }), died]);
  return { url, logFile, process: proc, stop: () => proc.stop('SIGTERM', 15_000) };
}
