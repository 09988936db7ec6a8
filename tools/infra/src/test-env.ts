/**
 * Isolated infrastructure for tests: a Temporal dev server (in memory) and a
 * PostgreSQL database of their own, on free ports, so suites can run side by
 * side. DATABASE_URL, when set, is used as the server to create a throw-away
 * database in; otherwise a real embedded PostgreSQL starts in a temp folder.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { startPostgres } from './postgres';
import type { Postgres } from './postgres';
import { resolveTemporalCli } from './temporal-cli';
import { freePort } from './wait';

export const repoRoot = (): string => resolve(__dirname, '..', '..', '..');

export interface TestDatabase {
  url: string;
  stop(): Promise<void>;
  /**
   * An embedded PostgreSQL of the test's own only (null on DATABASE_URL's
   * shared server, which a test must not stop): shuts the server down
   * ("fast": open transactions roll back) and starts it again on the same
   * port and data, for tests of a database outage.
   */
  outage: { down(): Promise<void>; up(): Promise<void> } | null;
  /** The embedded server's postmaster process id now (null on DATABASE_URL's server, or while it is down): for CPU and memory readings. */
  pid(): number | null;
}

export interface TestDatabaseOptions {
  /** Start an embedded PostgreSQL even when DATABASE_URL is set (so it can be stopped). */
  embedded?: boolean;
}

/**
 * A connected client for a harness's own reads and writes. Its server may go away under it (an
 * outage the harness causes, the stack stopped by an interrupt): the queries in flight then fail
 * on their own, and the client's 'error' event, which would otherwise end the process, is ignored.
 */
export async function harnessDb(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs one SQL statement on `url` (a connection of its own) and returns the rows: for test assertions. */
export async function sqlRows<T = Record<string, unknown>>(url: string, query: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(query, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function startTestDatabase(name = 'test', options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const shared = options.embedded ? undefined : process.env['DATABASE_URL'];
  const database = `${name.replace(/[^a-z0-9_]/gi, '_')}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  if (shared) {
    const admin = new Client({ connectionString: shared });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const url = new URL(shared);
    url.pathname = `/${database}`;
    return {
      url: url.toString(),
      async stop() {
        const client = new Client({ connectionString: shared });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
        await client.end();
      },
      outage: null,
      pid: () => null,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'of-pg-'));
  chmodSync(dir, 0o755); // reachable by the postgres user when tests run as root
  const pgOptions = { dataDir: join(dir, 'pg'), port: await freePort(), database };
  let pg: Postgres | null = await startPostgres(pgOptions);
  return {
    url: pg.url,
    pid: () => pg?.pid ?? null,
    async stop() {
      await pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    outage: {
      async down() {
        await pg?.stop();
        pg = null;
      },
      async up() {
        if (!pg) pg = await startPostgres(pgOptions);
      },
    },
  };
}

/** The Temporal CLI for tests (TEMPORAL_CLI_PATH, PATH, or the project venv). */
export const temporalCliForTests = (): string => resolveTemporalCli({ root: repoRoot(), log: (line) => process.stderr.write(`${line}\n`) });
