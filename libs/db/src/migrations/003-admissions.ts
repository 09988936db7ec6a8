import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 003_admissions: admission control at the API (ADR 039).
 *
 * - `admissions`: one row per order the API admitted, written before its
 *   workflow is started. Until the workflow has recorded the order (its
 *   `orders` row), this row is how every API replica knows the order is in
 *   flight. Rows are deleted by the API once they are older than the order
 *   deadline.
 * - Two partial/plain indexes so the in-flight count (open orders younger
 *   than the deadline) and the recent completions (orders that ended in the
 *   last seconds) read a few index entries, not the whole table.
 */
export class Admissions1764115200039 implements MigrationInterface {
  name = 'Admissions1764115200039';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admissions (
        order_id    text PRIMARY KEY,
        admitted_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX admissions_admitted_at ON admissions (admitted_at)`);
    await q.query(`CREATE INDEX orders_open_created ON orders (created_at) WHERE state NOT IN ('completed','cancelled','failed')`);
    await q.query(`CREATE INDEX orders_ended_updated ON orders (updated_at) WHERE state IN ('completed','cancelled','failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX orders_ended_updated`);
    await q.query(`DROP INDEX orders_open_created`);
    await q.query(`DROP TABLE admissions`);
  }
}
