/**
 * A failed statement, on a real PostgreSQL: one call of the app's logger
 * (a pino line in the apps), naming the statement and PostgreSQL's error,
 * never its parameters, and nothing printed by TypeORM itself.
 */
import { startTestDatabase } from '@order-fulfillment/infra';
import type { TestDatabase } from '@order-fulfillment/infra';
import type { DataSource } from 'typeorm';
import { createDataSource, describeStatement, migrate, prepared } from '../src';
import type { QueryErrorSink } from '../src';

jest.setTimeout(60_000);

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase('db_query_log');
  await migrate(db.url);
});

afterAll(async () => {
  await db?.stop();
});

const SECRET = '221B Secret Street';

/** A data source whose failed statements go to a logger that keeps what it was given. */
async function withLoggedDataSource(run: (dataSource: DataSource, lines: Array<Record<string, unknown>>) => Promise<void>): Promise<void> {
  const lines: Array<Record<string, unknown>> = [];
  const log: QueryErrorSink = { warn: (fields, msg) => void lines.push({ ...fields, msg }) };
  const dataSource = await createDataSource({ url: db.url, poolSize: 1, log }).initialize();
  try {
    await run(dataSource, lines);
  } finally {
    await dataSource.destroy();
  }
}

/** What reached the console and the process's own streams while `run` ran. */
async function printedDuring(run: () => Promise<void>): Promise<string> {
  const printed: string[] = [];
  const record = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  const spies = [
    jest.spyOn(console, 'log').mockImplementation(record),
    jest.spyOn(console, 'error').mockImplementation(record),
    jest.spyOn(console, 'warn').mockImplementation(record),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (record(chunk), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (record(chunk), true)),
  ];
  try {
    await run();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  return printed.join('\n');
}

describe('failed statements in the log', () => {
  it('one line names a prepared statement, the error and its code, without the parameters', async () => {
    const text = prepared('test_query_log_missing_table', 'SELECT street FROM no_such_table WHERE street = $1');
    await withLoggedDataSource(async (dataSource, lines) => {
      const printed = await printedDuring(async () => {
        await expect(dataSource.query(text, [SECRET])).rejects.toThrow(/no_such_table/);
      });
      expect(printed).toBe('');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ msg: 'query failed', statement: 'test_query_log_missing_table', code: '42P01' });
      expect(String(lines[0]?.['err'])).toMatch(/relation "no_such_table" does not exist/);
      expect(JSON.stringify(lines)).not.toContain('Secret');
    });
  });

  it('an unnamed statement is named by its text on one line; its values stay out', async () => {
    await withLoggedDataSource(async (dataSource, lines) => {
      // orders.payment_id is NOT NULL: the row is refused, with the secret among its parameters.
      await expect(
        dataSource.query(`INSERT INTO orders (id, payment_id, state, items, address)\n     VALUES ($1, NULL, 'received', '[]', $2)`, ['o-log-1', { street: SECRET, city: 'London' }]),
      ).rejects.toThrow();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ msg: 'query failed', statement: "INSERT INTO orders (id, payment_id, state, items, address) VALUES ($1, NULL, 'received', '[]', $2)" });
      expect(lines[0]?.['code']).toMatch(/^23/); // an integrity constraint violation
      expect(JSON.stringify(lines)).not.toContain('Secret');
    });
  });

  it('without a logger a failure prints nothing and still reaches the caller', async () => {
    const dataSource = await createDataSource({ url: db.url, poolSize: 1 }).initialize();
    try {
      const printed = await printedDuring(async () => {
        await expect(dataSource.query('SELECT street FROM no_such_table WHERE street = $1', [SECRET])).rejects.toThrow(/no_such_table/);
      });
      expect(printed).toBe('');
    } finally {
      await dataSource.destroy();
    }
  });

  it('a long statement is cut short', () => {
    const long = `SELECT ${Array.from({ length: 100 }, (_, i) => `c${i}`).join(', ')} FROM t`;
    const described = describeStatement(long);
    expect(described).toHaveLength(160);
    expect(described.endsWith('…')).toBe(true);
  });
});
