import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Sends `signal`, waits up to `graceMs`, then SIGKILL. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

export function spawnManaged(name: string, command: string, args: string[], { env, logFile, cwd }: { env: NodeJS.ProcessEnv; logFile: string; cwd?: string }): ManagedProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      setTimeout(() => log.end(), 50);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      log.write(`spawn error: ${err.message}\n`);
      resolve(`spawn error: ${err.message}`);
    });
  });
  let stopping: Promise<number | string> | null = null;
  return {
    name,
    child,
    logFile,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
      if (stopping) return stopping;
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      stopping = exited.finally(() => clearTimeout(timer));
      return stopping;
    },
  };
}
