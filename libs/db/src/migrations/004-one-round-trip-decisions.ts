import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 004_one_round_trip_decisions (ADR 048): the decisions that must be taken
 * under a lock, each as one function, so each costs one round trip instead
 * of a transaction of four to six.
 *
 * - `orders_in_flight(deadline_ms)` and `orders_in_flight_oldest_ms(deadline_ms)`:
 *   what admission control counts as in flight (ADR 039), defined once for
 *   the admission decision and for the API's periodic count.
 * - `admit_order(order_id, deadline_ms, max_in_flight, lock_timeout)`: the
 *   admission decision under the admission lock.
 * - `sandbox.gateway_charge` and `sandbox.gateway_cancel`: the sandbox
 *   gateway's charge and void/refund under the payment's lock.
 *
 * Each function takes its lock first and reads in a later statement. In a
 * VOLATILE PL/pgSQL function every statement takes a fresh snapshot under
 * READ COMMITTED, so what it reads includes everything committed by whoever
 * held the lock before: the same guarantee as the explicit transaction it
 * replaces. The lock is transaction-scoped and the function runs in the
 * caller's statement, so it is released when that statement commits.
 */
export class OneRoundTripDecisions1764115200048 implements MigrationInterface {
  name = 'OneRoundTripDecisions1764115200048';

  async up(q: QueryRunner): Promise<void> {
    // Open orders within their deadline (counted from admission) not owing a refund,
    // plus admitted orders whose workflow has not written their row yet.
    await q.query(`
      CREATE FUNCTION orders_in_flight(deadline_ms float8) RETURNS bigint
      LANGUAGE sql STABLE AS $$
        SELECT
          (SELECT count(*) FROM orders o LEFT JOIN admissions a ON a.order_id = o.id
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
    // 39_0039: the advisory lock key of admission decisions ("039 admission"), as before.
    await q.query(`
      CREATE FUNCTION admit_order(p_order_id text, p_deadline_ms float8, p_max_in_flight int, p_lock_timeout text,
                                  OUT known boolean, OUT in_flight int, OUT admitted boolean)
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM set_config('lock_timeout', p_lock_timeout, true);
        PERFORM pg_advisory_xact_lock(390039);
        known := EXISTS (SELECT 1 FROM admissions WHERE order_id = p_order_id) OR EXISTS (SELECT 1 FROM orders WHERE id = p_order_id);
        admitted := false;
        in_flight := orders_in_flight(p_deadline_ms);
        IF known OR in_flight >= p_max_in_flight THEN
          RETURN;
        END IF;
        INSERT INTO admissions (order_id) VALUES (p_order_id);
        admitted := true;
      END
      $$`);
    // A voided payment refuses the charge (false); a charged or refunded one answers as it did, with no second effect.
    await q.query(`
      CREATE FUNCTION sandbox.gateway_charge(p_payment_id text, p_order_id text, p_amount numeric) RETURNS boolean
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('sandbox-gateway:' || p_payment_id));
        IF EXISTS (SELECT 1 FROM sandbox.gateway_operations WHERE idempotency_key = 'refund:' || p_payment_id)
           AND NOT EXISTS (SELECT 1 FROM sandbox.gateway_operations WHERE idempotency_key = p_payment_id) THEN
          RETURN false;
        END IF;
        INSERT INTO sandbox.gateway_operations (idempotency_key, operation, payment_id, order_id, amount)
          VALUES (p_payment_id, 'charge', p_payment_id, p_order_id, p_amount) ON CONFLICT (idempotency_key) DO NOTHING;
        RETURN true;
      END
      $$`);
    // Refunds what was charged, or voids the payment so no charge can land later; the same answer every time.
    await q.query(`
      CREATE FUNCTION sandbox.gateway_cancel(p_payment_id text, p_order_id text, p_amount numeric) RETURNS text
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        done text;
        charged numeric;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('sandbox-gateway:' || p_payment_id));
        SELECT operation INTO done FROM sandbox.gateway_operations WHERE idempotency_key = 'refund:' || p_payment_id;
        IF FOUND THEN
          RETURN CASE WHEN done = 'refund' THEN 'refunded' ELSE 'voided' END;
        END IF;
        SELECT amount INTO charged FROM sandbox.gateway_operations WHERE idempotency_key = p_payment_id;
        INSERT INTO sandbox.gateway_operations (idempotency_key, operation, payment_id, order_id, amount)
          VALUES ('refund:' || p_payment_id, CASE WHEN charged IS NULL THEN 'void' ELSE 'refund' END, p_payment_id, p_order_id,
                  coalesce(charged, p_amount));
        RETURN CASE WHEN charged IS NULL THEN 'voided' ELSE 'refunded' END;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION sandbox.gateway_cancel(text, text, numeric)`);
    await q.query(`DROP FUNCTION sandbox.gateway_charge(text, text, numeric)`);
    await q.query(`DROP FUNCTION admit_order(text, float8, int, text)`);
    await q.query(`DROP FUNCTION orders_in_flight_oldest_ms(float8)`);
    await q.query(`DROP FUNCTION orders_in_flight(float8)`);
  }
}
