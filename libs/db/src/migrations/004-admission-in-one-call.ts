import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 004_admission_in_one_call: the admission decision as one database call
 * (ADR 039, third amendment).
 *
 * - `orders_in_flight(deadline_ms)`: the in-flight count admission control
 *   limits: open orders admitted less than one deadline ago and not owing a
 *   refund, plus admitted orders whose workflow has not written their `orders`
 *   row yet. `orders_in_flight_oldest_ms(deadline_ms)`: the age of the oldest
 *   of them. The API's periodic refresh reads both; the definition lives here
 *   once, next to the decision that uses it.
 * - `admit_order(...)`: takes the admission lock (waiting at most
 *   `lock_timeout`), then, in statements that each see what committed before
 *   the lock was granted, answers whether the order is already known and, if
 *   not, counts the orders in flight and records the admission when the count
 *   is under the limit. One call is one transaction: the lock is released when
 *   it ends. It replaces a transaction of four round trips (BEGIN, lock,
 *   decision, COMMIT) whose decision statement was planned anew each time.
 */
export class AdmissionInOneCall1764115200040 implements MigrationInterface {
  name = 'AdmissionInOneCall1764115200040';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION orders_in_flight(deadline_ms float8) RETURNS bigint
      LANGUAGE sql STABLE AS $$
        SELECT (SELECT count(*) FROM orders o LEFT JOIN admissions a ON a.order_id = o.id
                 WHERE o.state NOT IN ('completed','cancelled','failed') AND NOT o.refund_owed
                   AND o.created_at > now() - make_interval(secs => deadline_ms / 1000)
                   AND coalesce(a.admitted_at, o.created_at) > now() - make_interval(secs => deadline_ms / 1000))
             + (SELECT count(*) FROM admissions a
                 WHERE a.admitted_at > now() - make_interval(secs => deadline_ms / 1000)
                   AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = a.order_id))
      $$`);
    await q.query(`
      CREATE FUNCTION orders_in_flight_oldest_ms(deadline_ms float8) RETURNS float8
      LANGUAGE sql STABLE AS $$
        SELECT extract(epoch FROM now() - min(t)) * 1000 FROM (
          SELECT min(coalesce(a.admitted_at, o.created_at)) AS t FROM orders o LEFT JOIN admissions a ON a.order_id = o.id
            WHERE o.state NOT IN ('completed','cancelled','failed') AND NOT o.refund_owed
              AND o.created_at > now() - make_interval(secs => deadline_ms / 1000)
              AND coalesce(a.admitted_at, o.created_at) > now() - make_interval(secs => deadline_ms / 1000)
          UNION ALL
          SELECT min(a.admitted_at) FROM admissions a
            WHERE a.admitted_at > now() - make_interval(secs => deadline_ms / 1000)
              AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = a.order_id)) oldest
      $$`);
    // VOLATILE (the default): each statement inside takes a new snapshot, so the
    // count after the lock sees every admission committed before it was granted.
    await q.query(`
      CREATE FUNCTION admit_order(order_id text, deadline_ms float8, max_in_flight integer, lock_key bigint, lock_wait text)
      RETURNS TABLE (known boolean, in_flight integer, admitted boolean)
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM set_config('lock_timeout', lock_wait, true);
        PERFORM pg_advisory_xact_lock(lock_key);
        known := EXISTS (SELECT 1 FROM admissions a WHERE a.order_id = admit_order.order_id)
              OR EXISTS (SELECT 1 FROM orders o WHERE o.id = admit_order.order_id);
        IF known THEN
          in_flight := NULL;
          admitted := false;
        ELSE
          in_flight := orders_in_flight(deadline_ms);
          admitted := in_flight < max_in_flight;
          IF admitted THEN
            INSERT INTO admissions (order_id) VALUES (admit_order.order_id);
          END IF;
        END IF;
        RETURN NEXT;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION admit_order(text, float8, integer, bigint, text)`);
    await q.query(`DROP FUNCTION orders_in_flight_oldest_ms(float8)`);
    await q.query(`DROP FUNCTION orders_in_flight(float8)`);
  }
}
