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
  /** Custom search attributes to register, `Name=Type` (e.g. `OrderState=Keyword`). */
  searchAttributes?: readonly string[];
}

export interface TemporalServer {
  address: string;
  uiUrl: string;
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
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (await portOpen(options.port, host)) throw new Error(`Temporal port ${options.port} is already in use (set TEMPORAL_PORT)`);
  const process = spawnManaged('temporal', options.cli, args, { env: { ...globalThis.process.env }, logFile: options.logFile });
  const exitedEarly = process.exited.then((code) => {
    throw new Error(`temporal server exited (${code}); see ${options.logFile}`);
  });
  await Promise.race([waitFor(`Temporal on ${host}:${options.port}`, () => portOpen(options.port, host), { timeoutMs: 60_000 }), exitedEarly]);
  exitedEarly.catch(() => undefined);
  return {
    address: `${host}:${options.port}`,
    uiUrl: `http://${host === '0.0.0.0' ? 'localhost' : host}:${options.uiPort}`,
    process,
    async stop() {
      await process.stop('SIGTERM', 10_000);
    },
  };
}
