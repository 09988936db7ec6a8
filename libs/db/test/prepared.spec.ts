/**
 * The order path's statements as named prepared statements (ADR 054), on a
 * real PostgreSQL: what a connection holds after the store has run, with the
 * option on and off, and what registering a statement refuses.
 */
import { startTestDatabase } from '@order-fulfillment/infra';
import type { TestDatabase } from '@order-fulfillment/infra';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate, OrderStore, prepared, preparedName } from '../src';

jest.setTimeout(60_000);

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase('db_prepared');
  await migrate(db.url);
});

afterAll(async () => {
  await db?.stop();
});

const order = (id: string) => ({ orderId: id, paymentId: `pmt-${id}`, items: [{ sku: 'ABC', qty: 1 }], address: { street: '1 St', city: 'X' } });

/** One connection, so the statements the store ran and the view read next share a session. */
async function withOneConnection<T>(preparedStatements: boolean, run: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await createDataSource({ url: db.url, poolSize: 1, preparedStatements }).initialize();
  try {
    return await run(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

const preparedOnConnection = async (dataSource: DataSource): Promise<string[]> =>
  ((await dataSource.query(`SELECT name FROM pg_prepared_statements ORDER BY name`)) as Array<{ name: string }>).map((r) => r.name);

describe('prepared statements', () => {
  it('a connection prepares each order statement once and reuses it', async () => {
    const { names, rows } = await withOneConnection(true, async (dataSource) => {
      const store = new OrderStore(dataSource);
      for (const id of ['p1', 'p2', 'p3']) {
        await store.receiveOrder(order(id));
        await store.recordTransition(order(id), 'validated', 'state:validated');
        await store.recordEvent({ orderId: id, type: 'note', dedupeKey: 'note:1' });
      }
      return { names: await preparedOnConnection(dataSource), rows: await dataSource.query(`SELECT id, state FROM orders WHERE id LIKE 'p_' ORDER BY id`) };
    });
    // Three orders, three statements each: three prepared statements, not nine.
    expect(names).toEqual(['receive_order', 'record_event', 'record_transition']);
    expect(rows).toEqual(['p1', 'p2', 'p3'].map((id) => ({ id, state: 'validated' })));
  });

  it('DATABASE_PREPARED_STATEMENTS=false: the same writes, nothing prepared', async () => {
    const { names, rows } = await withOneConnection(false, async (dataSource) => {
      const store = new OrderStore(dataSource);
      await store.receiveOrder(order('u1'));
      await store.recordTransition(order('u1'), 'validated', 'state:validated');
      return { names: await preparedOnConnection(dataSource), rows: await dataSource.query(`SELECT state FROM orders WHERE id = 'u1'`) };
    });
    expect(names).toEqual([]);
    expect(rows).toEqual([{ state: 'validated' }]);
  });

  it('a statement that fails fails as itself, and the connection goes on', async () => {
    await withOneConnection(true, async (dataSource) => {
      const cast = prepared('test_cast', `SELECT $1::int AS n`);
      await expect(dataSource.query(cast, ['not a number'])).rejects.toThrow(/invalid input syntax for type integer/);
      expect(await dataSource.query(cast, ['7'])).toEqual([{ n: 7 }]);
      // Refused when prepared (no such table yet): not remembered as prepared, so it is prepared again once it can be.
      const later = prepared('test_later', `SELECT n FROM test_later WHERE n = $1`);
      await expect(dataSource.query(later, [1])).rejects.toThrow(/relation "test_later" does not exist/);
      await dataSource.query(`CREATE TABLE test_later AS SELECT 1 AS n`);
      expect(await dataSource.query(later, [1])).toEqual([{ n: 1 }]);
    });
  });

  it('a name or a text registered twice differently is refused', () => {
    prepared('test_twice', 'SELECT $1::int');
    expect(prepared('test_twice', 'SELECT $1::int')).toBe('SELECT $1::int');
    expect(() => prepared('test_twice', 'SELECT $1::text')).toThrow('prepared statement test_twice: registered twice with different texts');
    expect(() => prepared('test_other', 'SELECT $1::int')).toThrow('the same text is already registered as test_twice');
    expect(preparedName('SELECT $1::int')).toBe('test_twice');
    expect(preparedName('SELECT 2')).toBeUndefined();
  });
});
