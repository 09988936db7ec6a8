/**
 * A second API process with its own environment (API_KEY, rate limit, CORS,
 * log level, review time...), started from the build output exactly as the
 * stack starts the main one, against the suite's Temporal and PostgreSQL (or
 * the addresses given, such as a {@link TcpProxy} in front of them).
 *
 * Unless the environment says otherwise (API_KEY, API_KEYS or AUTH_DISABLED),
 * it runs with AUTH_DISABLED=true, as the suite's main API does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appEntry, freePort, repoRoot, spawnManaged, waitFor } from '@order-fulfillment/stack';
import type { ManagedProcess } from '@order-fulfillment/stack';
import { databaseUrl, logsDir, temporalAddress } from './helpers';

export interface ExtraApi {
  url: string;
  metricsUrl: string;
  logFile: string;
  process: ManagedProcess;
  stop(): Promise<number | string>;
}

export interface ApiTargets {
  databaseUrl?: string;
  temporalAddress?: string;
}

function spawnApi(name: string, env: Record<string, string>, port: number, metricsPort: number, targets: ApiTargets, defaultAuth = true) {
  const logFile = join(logsDir(), `api-${name}-${port}.log`);
  const auth = !defaultAuth || env['API_KEY'] || env['API_KEYS'] || env['AUTH_DISABLED'] ? {} : { AUTH_DISABLED: 'true' };
  const base = { ...process.env };
  for (const key of ['API_KEY', 'API_KEYS', 'AUTH_DISABLED', 'REDIS_URL', 'TRUST_PROXY']) delete base[key];
  const proc = spawnManaged(`api-${name}`, process.execPath, [appEntry(repoRoot(), 'api')], {
    env: {
      ...base,
      LOG_LEVEL: 'warn',
      ALLOW_FAULT_INJECTION: 'true',
      RATE_LIMIT_MAX: '0',
      ...auth,
      ...env,
      DATABASE_URL: targets.databaseUrl ?? databaseUrl(),
      TEMPORAL_ADDRESS: targets.temporalAddress ?? temporalAddress(),
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      HOST: '127.0.0.1',
      METRICS_HOST: '127.0.0.1',
    },
    logFile,
  });
  return { proc, logFile };
}

/**
 * Starts an API and waits until it is ready (`/health/ready`), or only alive
 * (`/health/live`: its database or Temporal may be down on purpose).
 */
export async function startApi(name: string, env: Record<string, string>, targets: ApiTargets = {}, until: 'ready' | 'live' = 'ready'): Promise<ExtraApi> {
  const port = await freePort();
  const metricsPort = await freePort();
  const { proc, logFile } = spawnApi(name, env, port, metricsPort, targets);
  const url = `http://127.0.0.1:${port}`;
  const died = proc.exited.then((code) => {
    throw new Error(`api-${name} exited (${code}) during start-up; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
  });
  died.catch(() => undefined);
  await Promise.race([waitFor(`api-${name} ${url}/health/${until}`, async () => (await fetch(`${url}/health/${until}`)).ok, { timeoutMs: 30_000, intervalMs: 100 }), died]);
  return { url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, logFile, process: proc, stop: () => proc.stop('SIGTERM', 15_000) };
}

/**
 * Starts an API that is expected to refuse to start, with exactly the
 * authentication settings in `env` (none added): its exit code and what it wrote.
 */
export async function apiRefusal(name: string, env: Record<string, string>, targets: ApiTargets = {}): Promise<{ code: number | string; output: string }> {
  const { proc, logFile } = spawnApi(name, env, await freePort(), await freePort(), targets, false);
  return startupRefusal(proc, logFile);
}

/** Waits up to 20 s for a process expected to refuse to start to exit: its exit code (or why not) and what it wrote. */
export async function startupRefusal(proc: ManagedProcess, logFile: string): Promise<{ code: number | string; output: string }> {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    proc.exited,
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running after 20 s'), 20_000))),
  ]).finally(() => clearTimeout(timer));
  if (typeof code === 'string') await proc.stop('SIGKILL', 1_000);
  await new Promise((resolve) => setTimeout(resolve, 100)); // the log stream ends 50 ms after exit
  return { code, output: readFileSync(logFile, 'utf8') };
}
