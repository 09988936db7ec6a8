import type { ApiClient } from '../api';
import type { VerbSpec, Values } from '../args';
import type { Output } from '../output';

/** What a verb gets to run with. */
export interface CommandContext {
  api: ApiClient;
  out: Output;
  values: Values;
  positionals: string[];
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

export interface Verb extends VerbSpec {
  /** Runs the verb and returns the exit code; API errors are thrown and mapped by the caller. */
  run(ctx: CommandContext): Promise<number>;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
