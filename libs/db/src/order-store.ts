/**
 * All reads and writes of the order tables. Writes are idempotent so that a
 * retried activity never duplicates a row: orders by primary key, payments by
 * payment id, events by (order id, dedupe key).
 */
import type { DataSource } from 'typeorm';
import type { Address, OrderInput, OrderState } from '@order-fulfillment/contracts';
import { EventEntity } from './entities/event.entity';
import { OrderEntity } from './entities/order.entity';
import { PaymentEntity } from './entities/payment.entity';
import { prepared } from './prepared';
import type { PaymentRowStatus } from './entities/payment.entity';

export interface NewEvent {
  orderId: string;
  type: string;
  payload?: Record<string, unknown>;
  dedupeKey?: string | null;
}

interface PaymentRow {
  payment_id: string;
  order_id: string;
  status: PaymentRowStatus;
  amount: string;
}

/** What a transition also records on the order row. */
export interface TransitionFlags {
  /** The workflow's address sequence number: the highest one wins. */
  addressSeq?: number;
  /** Completed after its deadline (it had been dispatched). */
  late?: boolean;
}

/** Order changes that travel with an event. */
export interface OrderChange {
  address?: Address | null;
  addressSeq?: number | null;
  refundOwed?: boolean | null;
}

export interface OrderPage {
  orders: OrderEntity[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** The order path's statements, each prepared once per connection (ADR 054). */
const RECEIVE_ORDER = prepared(
  'receive_order',
  `WITH o AS (
         INSERT INTO orders (id, state, address, items, payment_id) VALUES ($1, 'received', $2::jsonb, $3::jsonb, $4)
         ON CONFLICT (id) DO NOTHING RETURNING id),
       e AS (
         INSERT INTO events (order_id, type, payload, dedupe_key) VALUES ($1, 'transition', $5::jsonb, 'state:received')
         ON CONFLICT (order_id, dedupe_key) DO NOTHING RETURNING id)
       SELECT (SELECT count(*) FROM o)::int AS inserted, (SELECT count(*) FROM e)::int AS appended`,
);
const RECORD_TRANSITION = prepared(
  'record_transition',
  `WITH e AS (
         INSERT INTO events (order_id, type, payload, dedupe_key) VALUES ($1, 'transition', $2::jsonb, $3)
         ON CONFLICT (order_id, dedupe_key) DO NOTHING RETURNING id)
       INSERT INTO orders (id, state, address, items, payment_id, address_seq, late)
       SELECT $1, $4, $5::jsonb, $6::jsonb, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM e)
       ON CONFLICT (id) DO UPDATE SET
         state = EXCLUDED.state,
         -- The terminal transition is the workflow's last word: its address stands, even over a
         -- higher sequence written by a task attempt that was never committed.
         address = CASE WHEN EXCLUDED.address_seq >= orders.address_seq OR EXCLUDED.state IN ('completed','cancelled','failed')
                        THEN EXCLUDED.address ELSE orders.address END,
         address_seq = CASE WHEN EXCLUDED.state IN ('completed','cancelled','failed') THEN EXCLUDED.address_seq
                            ELSE GREATEST(orders.address_seq, EXCLUDED.address_seq) END,
         late = orders.late OR EXCLUDED.late,
         refund_owed = false,
         updated_at = clock_timestamp()
       -- Nor is an ended order moved back: a step's write that lands after the end (a local
       -- activity the workflow stopped waiting for when it was cancelled or ran out of budget)
       -- adds its event and leaves the row. A terminal write always applies: it is the last word.
       WHERE orders.state NOT IN ('completed','cancelled','failed') OR EXCLUDED.state IN ('completed','cancelled','failed')
       RETURNING id`,
);
const RECORD_EVENT = prepared(
  'record_event',
  `WITH e AS (
         INSERT INTO events (order_id, type, payload, dedupe_key) VALUES ($1, $2, $3::jsonb, $4)
         ON CONFLICT (order_id, dedupe_key) DO NOTHING RETURNING id),
       a AS (
         UPDATE orders SET
           address = CASE WHEN $5::jsonb IS NOT NULL AND COALESCE($6::int, address_seq + 1) > address_seq
                            AND state NOT IN ('completed','cancelled','failed') THEN $5::jsonb ELSE address END,
           address_seq = CASE WHEN $5::jsonb IS NOT NULL THEN GREATEST(address_seq, COALESCE($6::int, address_seq + 1)) ELSE address_seq END,
           -- A closed order owes nothing: a late flag write never reopens the debt.
           refund_owed = CASE WHEN state IN ('completed','cancelled','failed') THEN false ELSE COALESCE($7::boolean, refund_owed) END
         WHERE id = $1 AND ($5::jsonb IS NOT NULL OR $7::boolean IS NOT NULL) AND EXISTS (SELECT 1 FROM e) RETURNING id)
       SELECT (SELECT count(*) FROM e)::int AS appended, (SELECT count(*) FROM a)::int AS updated`,
);
const BEGIN_CHARGE = prepared(
  'begin_charge',
  `WITH ins AS (
         INSERT INTO payments (payment_id, order_id, status, amount) VALUES ($1, $2, 'pending', $3)
         ON CONFLICT (payment_id) DO NOTHING RETURNING payment_id, order_id, status, amount)
       SELECT * FROM ins UNION ALL SELECT payment_id, order_id, status, amount FROM payments WHERE payment_id = $1 LIMIT 1`,
);
const COMPLETE_CHARGE = prepared(
  'complete_charge',
  `WITH upd AS (
         UPDATE payments SET status = 'charged', updated_at = clock_timestamp()
         WHERE payment_id = $1 AND order_id = $2 AND status = 'pending' RETURNING payment_id)
       INSERT INTO events (order_id, type, payload, dedupe_key)
       SELECT $2, 'payment_charged', $3::jsonb, 'payment:' || $1 || ':charged' FROM upd
       ON CONFLICT (order_id, dedupe_key) DO NOTHING RETURNING id`,
);
const VOID_UNLESS_CHARGED = prepared(
  'void_unless_charged',
  `INSERT INTO payments (payment_id, order_id, status, amount) VALUES ($1, $2, 'voided', $3)
       ON CONFLICT (payment_id) DO UPDATE
         SET status = CASE WHEN payments.status = 'pending' THEN 'voided' ELSE payments.status END,
             updated_at = clock_timestamp()
       RETURNING payment_id, order_id, status, amount`,
);
const REFUND_PAYMENT = prepared(
  'refund_payment',
  `WITH upd AS (
         UPDATE payments SET status = 'refunded', updated_at = clock_timestamp()
         WHERE payment_id = $1 AND order_id = $2 AND status = 'charged' RETURNING payment_id)
       INSERT INTO events (order_id, type, payload, dedupe_key)
       SELECT $2, 'payment_refunded', $3::jsonb, 'payment:' || $1 || ':refunded' FROM upd
       ON CONFLICT (order_id, dedupe_key) DO NOTHING RETURNING id`,
);

export class OrderStore {
  constructor(private readonly dataSource: DataSource) {}

  // The three writes on every order's hot path (receive, transition, event) are
  // single statements: each is atomic by itself and costs one round trip.

  /** Inserts the order in state `received` unless it exists. Returns true when inserted. */
  async receiveOrder(order: OrderInput): Promise<boolean> {
    const payload = { state: 'received', step: 'ReceiveOrder', paymentId: order.paymentId, items: order.items, address: order.address };
    const rows: { inserted: number }[] = await this.dataSource.query(
      RECEIVE_ORDER,
      [order.orderId, json(order.address), json(order.items), order.paymentId, json(payload)],
    );
    return (rows[0]?.inserted ?? 0) > 0;
  }

  /**
   * Moves the order to `state` (with the workflow's current address) and
   * appends the transition event, once per dedupe key. Creates the row if it is
   * missing (an order whose ReceiveOrder never succeeded still ends with a row
   * saying how it ended). The workflow's address is the truth: an address change
   * that arrived before ReceiveOrder created the row is applied here at the
   * latest, and an older address never overwrites a newer one (`addressSeq`).
   * A transition to a state that is not terminal leaves an ended order's row as
   * it is (its event is still appended). Returns whether the row was written.
   */
  async recordTransition(
    order: OrderInput,
    state: OrderState,
    dedupeKey: string,
    payload: Record<string, unknown> = {},
    flags: TransitionFlags = {},
  ): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      RECORD_TRANSITION,
      [
        order.orderId,
        json({ state, ...payload }),
        dedupeKey,
        state,
        json(order.address),
        json(order.items),
        order.paymentId,
        flags.addressSeq ?? 0,
        flags.late ?? false,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Appends an event, once per dedupe key, and with it the order changes it
   * carries: an accepted address (applied only if its sequence number is the
   * newest seen, so out-of-order writes cannot leave an older address), or the
   * refund-owed flag.
   */
  async recordEvent(event: NewEvent, change: OrderChange = {}): Promise<boolean> {
    const { address = null, addressSeq = null, refundOwed = null } = change;
    const rows: { appended: number }[] = await this.dataSource.query(
      RECORD_EVENT,
      [event.orderId, event.type, json(event.payload ?? {}), event.dedupeKey ?? null, json(address), addressSeq, refundOwed],
    );
    return (rows[0]?.appended ?? 0) > 0;
  }

  /**
   * Records the intent to charge before the gateway is called: a `pending`
   * payment, once per payment id (the primary key decides, also under
   * concurrent calls). A refund that runs while the charge is still in flight
   * finds it and voids it. Returns the payment as it now stands.
   */
  async beginCharge(paymentId: string, orderId: string, amount: number): Promise<PaymentEntity> {
    const rows: PaymentRow[] = await this.dataSource.query(
      BEGIN_CHARGE,
      [paymentId, orderId, amount.toFixed(2)],
    );
    if (rows[0]) return toPayment(rows[0]);
    // A concurrent call inserted the row and committed while this statement waited on it: its
    // snapshot predates that row, so DO NOTHING returned nothing and the SELECT saw nothing. A new
    // statement sees it.
    const payment = await this.findPayment(paymentId);
    if (!payment) throw new Error(`payment ${paymentId}: no row after writing it`);
    return payment;
  }

  /**
   * The gateway took the money: `pending` becomes `charged` (with its event).
   * Returns whether this call made that change, and the payment's status
   * afterwards; anything but `charged` means the payment was voided meanwhile
   * and the charge must be reversed.
   */
  async completeCharge(paymentId: string, orderId: string, amount: number): Promise<{ completed: boolean; status: PaymentRowStatus }> {
    const updated: unknown[] = await this.dataSource.query(
      COMPLETE_CHARGE,
      [paymentId, orderId, JSON.stringify({ paymentId, amount })],
    );
    if (updated.length) return { completed: true, status: 'charged' };
    // Not ours to complete: read what another call made of it, in a statement of its own
    // (the one above saw the row as it was before a concurrent writer committed).
    const payment = await this.findPayment(paymentId);
    if (!payment || payment.status === 'pending') throw new Error(`payment ${paymentId}: still pending after completing its charge`);
    return { completed: false, status: payment.status };
  }

  /**
   * The order decided to give the money back. Before the gateway is asked:
   * a `pending` payment (or none yet) becomes `voided`, so a charge still in
   * flight cannot stand. Returns the status the payment had been moved to or
   * already had (`charged` stays charged until the gateway refunds it).
   */
  async voidUnlessCharged(paymentId: string, orderId: string, amount: number): Promise<PaymentEntity> {
    const rows: PaymentRow[] = await this.dataSource.query(
      VOID_UNLESS_CHARGED,
      [paymentId, orderId, amount.toFixed(2)],
    );
    return toPayment(firstRow(rows, paymentId));
  }

  async findPayment(paymentId: string): Promise<PaymentEntity | null> {
    return this.dataSource.manager.findOneBy(PaymentEntity, { paymentId });
  }

  /** Marks a charged payment refunded (with its event); returns false when it was not `charged`. */
  async refund(paymentId: string, orderId: string, reason: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      REFUND_PAYMENT,
      [paymentId, orderId, JSON.stringify({ paymentId, reason })],
    );
    return rows.length > 0;
  }

  async findOrder(orderId: string): Promise<OrderEntity | null> {
    return this.dataSource.manager.findOneBy(OrderEntity, { id: orderId });
  }

  async listEvents(orderId: string): Promise<EventEntity[]> {
    return this.dataSource.manager.find(EventEntity, { where: { orderId }, order: { id: 'ASC' } });
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async listOrders({ state, limit, cursor }: { state?: OrderState; limit: number; cursor?: string | null }): Promise<OrderPage> {
    const qb = this.dataSource.manager.createQueryBuilder(OrderEntity, 'o').orderBy('o.created_at', 'DESC').addOrderBy('o.id', 'DESC').limit(limit + 1);
    if (state) qb.andWhere('o.state = :state', { state });
    if (cursor) {
      // Compare in the database, at its own timestamp precision.
      qb.andWhere('(o.created_at, o.id) < (SELECT c.created_at, c.id FROM orders c WHERE c.id = :cursorId)', { cursorId: decodeCursor(cursor) });
    }
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { orders: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }
}

function firstRow<T>(rows: T[], paymentId: string): T {
  const row = rows[0];
  if (!row) throw new Error(`payment ${paymentId}: no row after writing it`);
  return row;
}

function toPayment(row: PaymentRow): PaymentEntity {
  return Object.assign(new PaymentEntity(), { paymentId: row.payment_id, orderId: row.order_id, status: row.status, amount: row.amount });
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

function encodeCursor(order: OrderEntity): string {
  return Buffer.from(order.id, 'utf8').toString('base64url');
}

export class InvalidCursorError extends Error {}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new InvalidCursorError('cursor: not a cursor returned by this API');
  return id;
}
