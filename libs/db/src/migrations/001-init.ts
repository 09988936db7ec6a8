import type { MigrationInterface, QueryRunner } from 'typeorm';

/** 001_init: the orders, payments and events tables. */
export class Init1764115200001 implements MigrationInterface {
  name = 'Init1764115200001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id          text PRIMARY KEY,
        state       text NOT NULL CHECK (state IN ('received','validated','in_review','paid','shipping','completed','cancelled','failed')),
        address     jsonb,
        items       jsonb NOT NULL,
        payment_id  text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX orders_state_created ON orders (state, created_at, id)`);
    await q.query(`CREATE INDEX orders_created ON orders (created_at, id)`);
    await q.query(`
      CREATE TABLE payments (
        payment_id  text PRIMARY KEY,
        order_id    text NOT NULL,
        status      text NOT NULL CHECK (status IN ('charged','refunded','failed')),
        amount      numeric(12,2) NOT NULL CHECK (amount >= 0),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX payments_order ON payments (order_id)`);
    await q.query(`
      CREATE TABLE events (
        id          bigserial PRIMARY KEY,
        order_id    text NOT NULL,
        type        text NOT NULL,
        payload     jsonb NOT NULL DEFAULT '{}'::jsonb,
        ts          timestamptz NOT NULL DEFAULT now(),
        dedupe_key  text
      )`);
    await q.query(`CREATE UNIQUE INDEX events_order_dedupe_key ON events (order_id, dedupe_key)`);
    await q.query(`CREATE INDEX events_order_ts ON events (order_id, id)`);
    // Append-only: the audit trail refuses updates and deletes.
    await q.query(`
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE events`);
    await q.query(`DROP FUNCTION events_append_only()`);
    await q.query(`DROP TABLE payments`);
    await q.query(`DROP TABLE orders`);
  }
}
