/**
 * What a harness started, stopped when it is interrupted: Ctrl-C, a SIGTERM
 * sent to it alone (a CI job's timeout, `kill <pid>`), a SIGHUP (its terminal
 * closed), or its output closed under it (`| head`: a write fails with EPIPE).
 * Without this the harness ends at once, and whatever it started (a Temporal
 * dev server, a PostgreSQL, the apps) keeps running, with its folder left
 * behind. Each cleanup runs once, newest first (a worker before the server it
 * talks to); then the process exits as a shell reports that signal: 130
 * (SIGINT), 143 (SIGTERM), 129 (SIGHUP), 141 (SIGPIPE, for the closed output).
 * A second signal meanwhile ends it at once, as Node does by default.
 */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Signal = (typeof SIGNALS)[number];
type Interruption = Signal | 'EPIPE';
const EXIT_CODES: Record<Interruption, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, EPIPE: 141 };
const cleanups = new Set<() => Promise<unknown>>();
const handlers = new Map<Signal, () => void>();

let stopping = false;

/**
 * True once an interrupt is being handled. The run it cut short then fails (its stack is going
 * away); a CLI's error handler must leave the exit to the interrupt, or the cleanups stop half done.
 */
export function interrupting(): boolean {
  return stopping;
}

/**
 * A failed write to stdout or stderr. EPIPE: the reader is gone, so nothing this run reports can
 * be read, and it stops like an interrupt. Any other error is thrown, as it would be without
 * this listener.
 */
function outputFailed(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
  void interrupted('EPIPE');
}

/** Registers `cleanup` to run on an interrupt; returns the function that unregisters it (call it once stopped normally). */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  cleanups.add(cleanup);
  if (handlers.size === 0) {
    for (const signal of SIGNALS) {
      const handler = () => void interrupted(signal);
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
    // Kept for the whole run: once the output is closed, every later write fails the same way.
    process.stdout.on('error', outputFailed);
    process.stderr.on('error', outputFailed);
  }
  return () => void cleanups.delete(cleanup);
}

async function interrupted(reason: Interruption): Promise<void> {
  if (stopping) return; // already stopping (a closed output fails every write after the first)
  stopping = true;
  // A second signal, of either kind, is not caught again: Node's default ends the process.
  for (const [other, handler] of handlers) process.off(other, handler);
  const what = reason === 'EPIPE' ? 'output closed (EPIPE)' : reason;
  process.stderr.write(`${what}: stopping what this run started (${cleanups.size}) ...\n`);
  for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => undefined);
  process.exit(EXIT_CODES[reason]);
}
