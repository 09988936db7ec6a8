/**
 * The statements every order runs, prepared once per connection (ADR 054).
 *
 * A statement sent with parameters and no name is parsed, analysed and planned
 * by PostgreSQL on every call. The order path's statements are few, fixed and
 * run by the thousand, and their common table expressions cost more to plan
 * than to run: named, each connection prepares them once and then only binds
 * and executes them (measured: a third less PostgreSQL CPU per order).
 *
 * A statement opts in where it is written, with {@link prepared}; its call
 * sites stay as they are (`dataSource.query(TEXT, values)`), so TypeORM's
 * logging and error mapping see the same text. The pool's connections are
 * {@link PreparingClient}s, which send a registered text under its name. Only
 * registered texts are named: a connection holds a fixed set of prepared
 * statements, whatever else runs on it.
 *
 * `DATABASE_PREPARED_STATEMENTS=false` turns it off, for a connection pooler
 * that does not keep a session's prepared statements (PgBouncer in transaction
 * mode before 1.21).
 */
import { Client } from 'pg';

/** Registered texts and their statement names, both ways. */
const nameOf = new Map<string, string>();
const textOf = new Map<string, string>();

/**
 * Registers `text` to be sent as the prepared statement `name` (unique across
 * the code base) and returns it unchanged, to be passed to `query` as usual.
 */
export function prepared(name: string, text: string): string {
  const registered = textOf.get(name);
  if (registered !== undefined && registered !== text) throw new Error(`prepared statement ${name}: registered twice with different texts`);
  const other = nameOf.get(text);
  if (other !== undefined && other !== name) throw new Error(`prepared statement ${name}: the same text is already registered as ${other}`);
  nameOf.set(text, name);
  textOf.set(name, text);
  return text;
}

/** The statement name a text is sent under, if it is registered. */
export function preparedName(text: string): string | undefined {
  return nameOf.get(text);
}

/**
 * pg's Client, sending a registered text with values as its named prepared
 * statement (pg prepares it on the connection's first use and reuses it after).
 * Anything else passes through as it is.
 */
export class PreparingClient extends Client {
  // pg's overloads cannot be restated one by one; the arguments go to them unchanged.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values)) {
      const name = nameOf.get(text);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      if (name !== undefined) return (super.query as (...a: any[]) => any)({ name, text }, ...args.slice(1));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (super.query as (...a: any[]) => any)(...args);
  }
}
