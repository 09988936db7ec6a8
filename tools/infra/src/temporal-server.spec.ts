/**
 * The dev server's SQLite settings: the pragmas it is given, and that a
 * restart on the same file still has the workflows (the chaos run relies on it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { temporalCliForTests } from './test-env';
import { DEFAULT_SQLITE_PRAGMAS, sqlitePragmas, startTemporalServer } from './temporal-server';
import { freePort } from './wait';

const run = promisify(execFile);

describe('sqlitePragmas', () => {
  it('defaults to a write-ahead log synced at checkpoints', () => {
    expect(sqlitePragmas(undefined, {})).toEqual(['journal_mode=wal', 'synchronous=normal']);
    expect(DEFAULT_SQLITE_PRAGMAS).toEqual(['journal_mode=wal', 'synchronous=normal']);
  });
  it('takes TEMPORAL_SQLITE_PRAGMAS (empty: none) and refuses what is not name=value', () => {
    expect(sqlitePragmas(undefined, { TEMPORAL_SQLITE_PRAGMAS: '' })).toEqual([]);
    expect(sqlitePragmas(undefined, { TEMPORAL_SQLITE_PRAGMAS: 'journal_mode=delete, synchronous=full' })).toEqual(['journal_mode=delete', 'synchronous=full']);
    expect(() => sqlitePragmas(undefined, { TEMPORAL_SQLITE_PRAGMAS: 'journal_mode=wal;drop' })).toThrow('TEMPORAL_SQLITE_PRAGMAS: "journal_mode=wal;drop" is not name=value');
  });
  it('prefers the option to the environment', () => {
    expect(sqlitePragmas(['synchronous=full'], { TEMPORAL_SQLITE_PRAGMAS: '' })).toEqual(['synchronous=full']);
  });
});

describe('startTemporalServer with a SQLite file', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'temporal-sqlite-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the file in WAL mode and keeps a started workflow across a restart', async () => {
    const cli = temporalCliForTests();
    const dbFile = join(dir, 'temporal.sqlite');
    // The default pragmas, given explicitly so that TEMPORAL_SQLITE_PRAGMAS in the caller's environment does not change the test.
    const options = { cli, port: await freePort(), uiPort: await freePort(), dbFile, logFile: join(dir, 'temporal.log'), sqlitePragmas: DEFAULT_SQLITE_PRAGMAS };
    const temporal = (...args: string[]) => run(cli, [...args, '--address', `127.0.0.1:${options.port}`, '--output', 'json'], { timeout: 30_000 });

    let server = await startTemporalServer(options);
    try {
      await temporal('workflow', 'start', '--type', 'Nothing', '--task-queue', 'nobody-polls', '--workflow-id', 'kept-across-restart');
    } finally {
      await server.stop();
    }
    // SQLite's header says WAL with bytes 18 and 19 set to 2 (1 for the rollback journal).
    const header = Buffer.alloc(20);
    const fd = openSync(dbFile, 'r');
    readSync(fd, header, 0, 20, 0);
    closeSync(fd);
    expect([header[18], header[19]]).toEqual([2, 2]);

    server = await startTemporalServer(options);
    try {
      const { stdout } = await temporal('workflow', 'describe', '--workflow-id', 'kept-across-restart');
      expect(JSON.parse(stdout).workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_RUNNING');
    } finally {
      await server.stop();
    }
  }, 120_000);
});
