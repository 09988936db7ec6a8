import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 002_money_and_goods: what the money-and-goods invariants need.
 *
 * - `payments.status` gains `pending` (recorded before the gateway call, so a
 *   refund can find a charge that is still in flight) and `voided` (cancelled
 *   before the charge landed; a later charge on it is refused).
 * - `orders.late` (completed after its deadline: dispatch is the point of no
 *   return), `orders.refund_owed` (a refund is still being retried) and
 *   `orders.address_seq` (address writes may arrive out of order; the highest
 *   sequence wins).
 * - Schema `sandbox`: the ledgers of the stand-in payment gateway and carrier.
 *   They are the outside world's record of what happened (money taken,
 *   goods shipped), kept apart from our own bookkeeping so the invariant
 *   checker can compare the two.
 */
export class MoneyAndGoods1764115200002 implements MigrationInterface {
  name = 'MoneyAndGoods1764115200002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_status_check`);
    await q.query(`ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending','charged','refunded','voided','failed'))`);
    await q.query(`
      ALTER TABLE orders
        ADD COLUMN late        boolean NOT NULL DEFAULT false,
        ADD COLUMN refund_owed boolean NOT NULL DEFAULT false,
        ADD COLUMN address_seq integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX orders_refund_owed ON orders (id) WHERE refund_owed`);
    await q.query(`CREATE SCHEMA IF NOT EXISTS sandbox`);
    await q.query(`
      CREATE TABLE sandbox.gateway_operations (
        idempotency_key text PRIMARY KEY,
        operation       text NOT NULL CHECK (operation IN ('charge','refund','void')),
        payment_id      text NOT NULL,
        order_id        text NOT NULL,
        amount          numeric(12,2) NOT NULL CHECK (amount >= 0),
        created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX gateway_operations_payment ON sandbox.gateway_operations (payment_id)`);
    await q.query(`CREATE INDEX gateway_operations_order ON sandbox.gateway_operations (order_id)`);
    await q.query(`
      CREATE TABLE sandbox.carrier_shipments (
        idempotency_key text PRIMARY KEY,
        order_id        text NOT NULL,
        address         jsonb,
        carrier_ref     text NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX carrier_shipments_order ON sandbox.carrier_shipments (order_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA sandbox CASCADE`);
    await q.query(`DROP INDEX orders_refund_owed`);
    await q.query(`ALTER TABLE orders DROP COLUMN late, DROP COLUMN refund_owed, DROP COLUMN address_seq`);
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_status_check`);
    await q.query(`ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('charged','refunded','failed'))`);
  }
}
