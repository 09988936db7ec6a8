/**
 * What a harness started, stopped when it is interrupted: Ctrl-C, or a SIGTERM
 * sent to it alone (a CI job's timeout, `kill <pid>`). Without this the
 * signal ends the harness at once, and whatever it started (a Temporal dev
 * server, a PostgreSQL, the apps) keeps running, with its folder left behind.
 * Each cleanup runs once, newest first (a worker before the server it talks
 * to); then the process exits 130 (SIGINT) or 143 (SIGTERM). A second signal
 * meanwhile ends it at once, as Node does by default.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Signal = (typeof SIGNALS)[number];
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

/** Registers `cleanup` to run on an interrupt; returns the function that unregisters it (call it once stopped normally). */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  cleanups.add(cleanup);
  if (handlers.size === 0) {
    for (const signal of SIGNALS) {
      const handler = () => void interrupted(signal);
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }
  return () => void cleanups.delete(cleanup);
}

async function interrupted(signal: Signal): Promise<void> {
  stopping = true;
  // A second signal, of either kind, is not caught again: Node's default ends the process.
  for (const [other, handler] of handlers) process.off(other, handler);
  process.stderr.write(`${signal}: stopping what this run started (${cleanups.size}) ...\n`);
  for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => undefined);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
