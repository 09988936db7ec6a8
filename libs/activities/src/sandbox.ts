/**
 * Stand-ins for the payment gateway and the carrier that behave as real ones
 * do where it matters for money and goods: every call carries an idempotency
 * key, and the same key gives the same result with no second effect. Retried,
 * overlapping and hedged calls are therefore safe by contract, not by luck.
 *
 * Their ledgers live in the `sandbox` schema of the same PostgreSQL (see
 * migration 002): the outside world's record of money taken and goods shipped,
 * which the invariant checker compares with our own bookkeeping.
 */
import type { DataSource } from 'typeorm';
import type { Address } from '@order-fulfillment/contracts';
import { prepared } from '@order-fulfillment/db';

/** The gateway refused a charge: its payment was voided (the order decided to refund) before the charge landed. */
export class PaymentVoidedError extends Error {
  constructor(readonly paymentId: string) {
    super(`payment ${paymentId} was voided before the charge landed`);
  }
}

export interface PaymentGateway {
  /** Takes `amount` once per payment id; refused once the payment was voided. */
  charge(request: { paymentId: string; orderId: string; amount: number }): Promise<void>;
  /** Gives the money back (refund) or, when nothing was taken yet, voids the payment so no charge can land later. */
  cancel(request: { paymentId: string; orderId: string; amount: number }): Promise<'refunded' | 'voided'>;
}

export interface Carrier {
  /** Ships once per shipment id; the same id returns the same carrier reference (and the first address). */
  dispatch(request: { shipmentId: string; orderId: string; address: Address | null }): Promise<{ carrierRef: string }>;
}

/** Both of a payment's operations are decided under one lock, so a charge and a void never both succeed. */
const LOCK = prepared('sandbox_gateway_lock', `SELECT pg_advisory_xact_lock(hashtext('sandbox-gateway:' || $1))`);
const OPERATION_EXISTS = prepared('sandbox_gateway_exists', `SELECT 1 FROM sandbox.gateway_operations WHERE idempotency_key = $1`);
const CHARGE = prepared(
  'sandbox_gateway_charge',
  `INSERT INTO sandbox.gateway_operations (idempotency_key, operation, payment_id, order_id, amount)
           VALUES ($1, 'charge', $1, $2, $3) ON CONFLICT (idempotency_key) DO NOTHING`,
);

export class SandboxGateway implements PaymentGateway {
  constructor(private readonly dataSource: DataSource) {}

  async charge({ paymentId, orderId, amount }: { paymentId: string; orderId: string; amount: number }): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query(LOCK, [paymentId]);
      const cancelled: unknown[] = await em.query(OPERATION_EXISTS, [cancelKey(paymentId)]);
      const charged: unknown[] = await em.query(OPERATION_EXISTS, [paymentId]);
      // A voided payment refuses the charge; a refunded one answers as it did, with no second effect.
      if (cancelled.length && !charged.length) throw new PaymentVoidedError(paymentId);
      await em.query(
        CHARGE,
        [paymentId, orderId, amount.toFixed(2)],
      );
    });
  }

  async cancel({ paymentId, orderId, amount }: { paymentId: string; orderId: string; amount: number }): Promise<'refunded' | 'voided'> {
    return this.dataSource.transaction(async (em) => {
      await em.query(LOCK, [paymentId]);
      const existing: { operation: 'refund' | 'void' }[] = await em.query(
        `SELECT operation FROM sandbox.gateway_operations WHERE idempotency_key = $1`,
        [cancelKey(paymentId)],
      );
      if (existing[0]) return existing[0].operation === 'refund' ? 'refunded' : 'voided';
      const charges: { amount: string }[] = await em.query(`SELECT amount FROM sandbox.gateway_operations WHERE idempotency_key = $1`, [paymentId]);
      const operation = charges[0] ? 'refund' : 'void';
      await em.query(
        `INSERT INTO sandbox.gateway_operations (idempotency_key, operation, payment_id, order_id, amount) VALUES ($1, $2, $3, $4, $5)`,
        [cancelKey(paymentId), operation, paymentId, orderId, charges[0]?.amount ?? amount.toFixed(2)],
      );
      return operation === 'refund' ? 'refunded' : 'voided';
    });
  }
}

const cancelKey = (paymentId: string): string => `refund:${paymentId}`;

/** How long a sandbox call takes, as a real carrier's or warehouse's API would (0: answers at once). */
export interface SandboxLatency {
  latencyMs?: number;
}

const takeTime = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

export interface Warehouse {
  /** Packs a shipment's items; the same shipment id gives the same package. */
  pack(request: { shipmentId: string; orderId: string }): Promise<{ packageId: string }>;
}

/** Packing has no ledger of its own: the package id derives from the shipment id. It only takes time. */
export class SandboxWarehouse implements Warehouse {
  constructor(private readonly options: SandboxLatency = {}) {}

  async pack({ shipmentId }: { shipmentId: string; orderId: string }): Promise<{ packageId: string }> {
    await takeTime(this.options.latencyMs ?? 0);
    return { packageId: `pkg-${shipmentId}` };
  }
}

/** The booking, or the booking made before under the same key (ADR 054: prepared once per connection). */
const BOOK_SHIPMENT = prepared(
  'sandbox_carrier_dispatch',
  `WITH ins AS (
         INSERT INTO sandbox.carrier_shipments (idempotency_key, order_id, address, carrier_ref)
         VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING carrier_ref)
       SELECT carrier_ref FROM ins
       UNION ALL SELECT carrier_ref FROM sandbox.carrier_shipments WHERE idempotency_key = $1
       LIMIT 1`,
);

export class SandboxCarrier implements Carrier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: SandboxLatency = {},
  ) {}

  async dispatch({ shipmentId, orderId, address }: { shipmentId: string; orderId: string; address: Address | null }): Promise<{ carrierRef: string }> {
    // The booking lands at the end of the call, as with a carrier that answers after its own work.
    await takeTime(this.options.latencyMs ?? 0);
    const rows: { carrier_ref: string }[] = await this.dataSource.query(
      BOOK_SHIPMENT,
      [shipmentId, orderId, address ? JSON.stringify(address) : null, `trk-${shipmentId}`],
    );
    // A concurrent call with the same key booked it first: read it in a statement of its own.
    const row =
      rows[0] ??
      ((await this.dataSource.query(`SELECT carrier_ref FROM sandbox.carrier_shipments WHERE idempotency_key = $1`, [shipmentId])) as { carrier_ref: string }[])[0];
    if (!row) throw new Error(`carrier: shipment ${shipmentId} neither booked nor found`);
    return { carrierRef: row.carrier_ref };
  }
}
