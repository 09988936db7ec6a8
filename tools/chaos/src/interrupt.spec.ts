/**
 * A harness interrupted mid-run stops what it started (tools/infra
 * `onInterrupt`). The invariant checker's built CLI, as `npm run
 * test:invariants` runs it, once its stack is up, gets SIGTERM alone (as from
 * a CI job's timeout or `kill <pid>`), or has its output closed (as by
 * `| head`): it must exit 143 or 141, leave none of the processes it started
 * running, and remove its stack's folders (the stack's and, when embedded,
 * PostgreSQL's).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, waitFor } from '@order-fulfillment/stack';

/** The state letter and parent of a process, from /proc (Linux), or null once it is gone. */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state ?? '?', ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** Every process descended from `pid` now. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    const stat = procStat(Number(entry));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

const running = (pid: number): boolean => {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
};

let tmp: string;
beforeAll(() => {
  // A temp directory of the CLI's own (TMPDIR), so other suites' stacks running meanwhile are not counted.
  tmp = mkdtempSync(join(tmpdir(), 'interrupt-'));
  chmodSync(tmp, 0o755); // an embedded PostgreSQL runs as the postgres user when started by root
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ourFolders = (): string[] => readdirSync(tmp).filter((d) => d.startsWith('of-'));

/** A built CLI, its stdout and stderr gathered into one text as they come. */
function spawnCli(cli: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [join(repoRoot(), cli), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, exited, output: () => output };
}

it.each([
  ['sent SIGTERM', 2, 'SIGTERM', 143, 'SIGTERM: stopping what this run started'],
  // 10 orders/s: its next progress line ("50/400 orders driven") is a few seconds away, and that write fails.
  ['whose output is closed under it (`| head`)', 10, 'closed output', 141, 'output closed (EPIPE): stopping what this run started'],
] as const)(
  'the invariant checker, %s with its stack up, stops the stack, removes its folders and exits as told',
  async (_, rate, how, code, said) => {
    const { child, exited, output } = spawnCli('tools/invariants/dist/cli.js', ['--orders', '400', '--rate', String(rate)], {
      ...process.env,
      TMPDIR: tmp,
    });
    await waitFor('its stack up and orders being driven', async () => /driving \d+ orders/.test(output()), {
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    const started = descendants(child.pid as number);
    // The Temporal dev server, the API and both workers at least (and PostgreSQL when embedded).
    expect(started.length).toBeGreaterThanOrEqual(4);
    expect(ourFolders().filter((d) => d.startsWith('of-inv_'))).toHaveLength(1);

    if (how === 'SIGTERM') child.kill('SIGTERM');
    else child.stdout.destroy();
    expect(await exited).toBe(code);
    expect(output()).toContain(said);
    expect(started.filter(running)).toEqual([]);
    expect(ourFolders()).toEqual([]);
  },
  180_000,
);

it('the development stack (`npm run stack`), its terminal closed (SIGHUP), stops everything it started and exits 0', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, STACK_DATA_DIR: join(tmp, 'stack-data') }; // not of-*: the tests above count those
  delete env['DATABASE_URL']; // its own PostgreSQL, as on a newcomer's machine: one more process to stop
  for (const name of ['API_PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'POSTGRES_PORT', 'METRICS_PORT'])
    env[name] = String(await freePort());
  env['WORKER_HEALTH_BASE_PORT'] = String(await freePort()); // the shipping worker takes the port after it
  const { child, exited, output } = spawnCli('tools/stack/dist/cli.js', ['up'], env);
  await waitFor('the stack up', async () => output().includes('Order fulfillment is up'), { timeoutMs: 120_000, intervalMs: 200 });
  const started = descendants(child.pid as number);
  // The Temporal dev server, PostgreSQL, the API and both workers.
  expect(started.length).toBeGreaterThanOrEqual(5);

  child.kill('SIGHUP');
  expect(await exited).toBe(0);
  expect(output()).toContain('SIGHUP: stopping everything');
  expect(started.filter(running)).toEqual([]);
}, 180_000);
