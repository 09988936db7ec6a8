import { ApplicationFailure } from '@temporalio/workflow';

/** One readable line for a Temporal failure chain: "ActivityFailure: ... <- cause". */
export function describeFailure(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && parts.length < 4) {
    const message = (current as Error).message;
    if (message && !parts.includes(message)) parts.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.length ? parts.join(' <- ') : String(err);
}

/** The type of the first application failure in a failure chain (activity or child failures wrap it). */
export function rootFailureType(err: unknown): string | undefined {
  let current: unknown = err;
  while (current && typeof current === 'object') {
    if (current instanceof ApplicationFailure) return current.type ?? undefined;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
