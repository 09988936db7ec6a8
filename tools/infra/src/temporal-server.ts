/**
 * The Temporal dev server (`temporal server start-dev`): gRPC frontend, Web UI,
 * and, when given a file, SQLite persistence so a restart keeps workflows.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ManagedProcess, spawnManaged } from './processes';
import { portOpen, waitFor } from './wait';

export interface TemporalServerOptions {
  cli: string;
  port: number;
  uiPort: number;
  /** SQLite file; omit for an in-memory server (tests). */
  dbFile?: string;
  namespace?: string;
  logFile: string;
  host?: string;
  /**
   * SQLite pragmas for the file (`name=value`); default {@link DEFAULT_SQLITE_PRAGMAS},
   * or TEMPORAL_SQLITE_PRAGMAS (comma-separated; empty for SQLite's own defaults).
   */
  sqlitePragmas?: readonly string[];
  /** Custom search attributes to register, `Name=Type` (e.g. `OrderState=Keyword`). */
  searchAttributes?: readonly string[];
  /** Serve the server's own metrics (request and persistence counters) for Prometheus on this port. */
  metricsPort?: number;
}

/**
 * Write-ahead log, synced at checkpoints rather than at every commit: the dev
 * server's per-order work is mostly SQLite commits, and this makes each one
 * cheap. A crash of the process loses nothing (the log is in the file); a power
 * loss may lose the last commits (ADR 036). Workflows survive a restart either way.
 */
export const DEFAULT_SQLITE_PRAGMAS: readonly string[] = ['journal_mode=wal', 'synchronous=normal'];

/** The pragmas to use: the option, else TEMPORAL_SQLITE_PRAGMAS, else the defaults. */
export function sqlitePragmas(option: readonly string[] | undefined, env: NodeJS.ProcessEnv = globalThis.process.env): readonly string[] {
  if (option) return option;
  const raw = env['TEMPORAL_SQLITE_PRAGMAS'];
  if (raw === undefined) return DEFAULT_SQLITE_PRAGMAS;
  const pragmas = raw.split(',').map((p) => p.trim()).filter(Boolean);
  for (const pragma of pragmas) {
    if (!/^[a-z_]+=[A-Za-z0-9_]+$/.test(pragma)) throw new Error(`TEMPORAL_SQLITE_PRAGMAS: "${pragma}" is not name=value`);
  }
  return pragmas;
}

export interface TemporalServer {
  address: string;
  uiUrl: string;
  /** The server's Prometheus endpoint, when started with a metrics port. */
  metricsUrl: string | null;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const host = options.host ?? '127.0.0.1';
  const args = [
    'server',
    'start-dev',
    '--ip',
    host,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'warn',
    // Faster polling hand-off for a single-machine dev server.
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
  ];
  for (const attribute of options.searchAttributes ?? []) args.push('--search-attribute', attribute);
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
    for (const pragma of sqlitePragmas(options.sqlitePragmas)) args.push('--sqlite-pragma', pragma);
  }
  if (await portOpen(options.port, host)) throw new Error(`Temporal port ${options.port} is already in use (set TEMPORAL_PORT)`);
  const process = spawnManaged('temporal', options.cli, args, { env: { ...globalThis.process.env }, logFile: options.logFile });
  const exitedEarly = process.exited.then((code) => {
    throw new Error(`temporal server exited (${code}); see ${options.logFile}`);
  });
  await Promise.race([waitFor(`Temporal on ${host}:${options.port}`, () => portOpen(options.port, host), { timeoutMs: 60_000 }), exitedEarly]);
  exitedEarly.catch(() => undefined);
  // Listening on every interface: reach the UI and the metrics on this machine's.
  const urlHost = host === '0.0.0.0' ? 'localhost' : host;
  return {
    address: `${host}:${options.port}`,
    uiUrl: `http://${urlHost}:${options.uiPort}`,
    metricsUrl: options.metricsPort ? `http://${urlHost}:${options.metricsPort}/metrics` : null,
    process,
    async stop() {
      await process.stop('SIGTERM', 10_000);
    },
  };
}
