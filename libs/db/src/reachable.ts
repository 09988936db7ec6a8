/**
 * A database that does not answer, told apart from one that answers with an
 * error of its own, and a data source initialised once it answers (ADR 053).
 */
import type { DataSource } from 'typeorm';

/** Node's network errors: the peer is not there or went away. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention (57014: statement_timeout). */
const PG_CLASSES = ['08', '53', '57'];
const CONNECTION_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|connection is closed|client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)/i;

/** `err` itself (not its causes) says the database is down, unreachable or overloaded. */
export function isDatabaseOutage(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (typeof code === 'string' && isSqlState(code) && PG_CLASSES.includes(code.slice(0, 2))) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** PostgreSQL answered with an error of its own (an SQLSTATE: 28P01 a wrong password, 3D000 no such database). */
export function isServerError(err: unknown): boolean {
  return isSqlState((err as { code?: unknown } | null)?.code);
}

const isSqlState = (code: unknown): code is string => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);

/**
 * What to tell the operator when the database answered the connection with an
 * error of its own (a wrong password, no such database): only DATABASE_URL or
 * the server can mend it, so the apps stop with this as a configuration error.
 * Null for any other error. The message is PostgreSQL's, which never holds the password.
 */
export function connectionRefusal(err: unknown): string | null {
  if (!isServerError(err)) return null;
  return `DATABASE_URL: the database refused the connection (${err instanceof Error ? err.message : String(err)})`;
}

export interface WaitOptions {
  /** Between two attempts (default 2 s). */
  retryMs?: number;
  /** Called after the first failed attempt and every 30 s of them after. */
  onWait?: (err: unknown, attempts: number) => void;
  /** Checked before each attempt: true ends the wait. */
  stopped?: () => boolean;
}

/**
 * Initialises `dataSource`, trying again every `retryMs` while the database
 * does not answer. Resolves true once initialised, false when `stopped()`
 * ended the wait. An error the database answered with, or one that is no
 * outage at all, rejects at once: waiting would not mend it.
 */
export async function initializeWhenReachable(dataSource: DataSource, { retryMs = 2_000, onWait, stopped = () => false }: WaitOptions = {}): Promise<boolean> {
  const every = Math.max(1, Math.round(30_000 / retryMs));
  for (let attempts = 1; !stopped(); attempts++) {
    try {
      await dataSource.initialize();
      return true;
    } catch (err) {
      if (!isDatabaseOutage(err)) throw err;
      if (attempts === 1 || attempts % every === 0) onWait?.(err, attempts);
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
  return false;
}
