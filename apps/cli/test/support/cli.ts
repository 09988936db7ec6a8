/**
 * Runs the real, built `order` binary as a subprocess, the way a user or a
 * script does, and captures its exit code and output.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repo = resolve(__dirname, '..', '..', '..', '..');
/** What `npx order` runs: the bin link npm makes for the workspace package. */
export const ORDER_BIN = join(repo, 'node_modules', '.bin', 'order');
const CLI_MAIN = join(repo, 'apps', 'cli', 'dist', 'main.js');

export const apiUrl = (): string => {
  const url = process.env['CLI_TEST_API_URL'];
  if (!url) throw new Error('CLI_TEST_API_URL is not set: the CLI suite global setup did not run');
  return url;
};

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Run through the npm bin link (as `npx order`) instead of `node dist/main.js`. */
  viaBin?: boolean;
}

/** The environment every run starts from: the test stack's API, no colour settings inherited. */
function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ORDER_API_URL: apiUrl() };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  delete env['API_KEY'];
  return { ...env, ...extra };
}

export function spawnOrder(args: string[], options: RunOptions = {}): ChildProcess {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: build the cli first (nx run cli:build)`);
  const [command, argv] = options.viaBin ? [ORDER_BIN, args] : [process.execPath, [CLI_MAIN, ...args]];
  return spawn(command, argv, { cwd: repo, env: baseEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `order <args>` to the end. */
export function order(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawnOrder(args, options);
  return collect(child, options.timeoutMs ?? 30_000, args);
}

export function collect(child: ChildProcess, timeoutMs: number, args: string[] = []): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`order ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Parses the JSON a `--json` run printed on stdout. */
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/** Polls the API (not the CLI) until the order satisfies `predicate`, within a deadline. */
export async function waitForOrder(orderId: string, predicate: (order: any) => boolean, timeoutMs = 25_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const response = await fetch(`${apiUrl()}/orders/${encodeURIComponent(orderId)}`);
    last = await response.json();
    if (response.ok && predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`order ${orderId} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

export const uniqueId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A stack trace in output: a line like "    at fn (file.js:1:2)". */
export const STACK_TRACE = /^\s+at .+[:(]\d+/m;
// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;
