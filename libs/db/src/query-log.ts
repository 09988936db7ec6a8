/**
 * What TypeORM says about a failed statement, as one structured line through
 * the app's own logger.
 *
 * TypeORM's console logger prints a failed statement as plain text over
 * several lines, with its parameters: an order's address, items and payment
 * id, which the logs never carry (README, "Logs"), in lines a JSON reader
 * cannot parse. Here a failure is one line: the statement (its prepared name,
 * or its text on one line), PostgreSQL's message and SQLSTATE code, and never
 * the parameters. Written at `warn`: the caller gets the error too and decides
 * what it means (a retried activity, a 503, an admission count kept).
 */
import type { Logger as TypeOrmLogger } from 'typeorm';
import { preparedName } from './prepared';

/** Where failed statements are reported: a pino logger, or Nest's Logger over it. */
export interface QueryErrorSink {
  warn(fields: Record<string, unknown>, msg: string): void;
}

/** Longest statement text a line carries. */
const MAX_STATEMENT_CHARS = 160;

/** A statement as a log line names it: its prepared name, or its text on one line, cut short. */
export function describeStatement(query: string): string {
  const name = preparedName(query);
  if (name !== undefined) return name;
  const oneLine = query.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_STATEMENT_CHARS ? `${oneLine.slice(0, MAX_STATEMENT_CHARS - 1)}…` : oneLine;
}

/** TypeORM's logger: failed statements to the sink (none: silent), everything else dropped. */
export class QueryLog implements TypeOrmLogger {
  constructor(private readonly sink: QueryErrorSink | null) {}

  logQueryError(error: string | Error, query: string): void {
    if (!this.sink) return;
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    this.sink.warn(
      {
        err: typeof error === 'string' ? error : error.message,
        ...(typeof code === 'string' ? { code } : {}),
        statement: describeStatement(query),
      },
      'query failed',
    );
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn' && this.sink) this.sink.warn({ err: String(message) }, 'typeorm');
  }

  // Statements that succeed, their timing, schema builds and migrations are not logged (migrate() returns what it applied).
  logQuery(): undefined {
    return undefined;
  }
  logQuerySlow(): undefined {
    return undefined;
  }
  logSchemaBuild(): undefined {
    return undefined;
  }
  logMigration(): undefined {
    return undefined;
  }
}
