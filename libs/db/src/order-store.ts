/**
 * All reads and writes of the order tables. Writes are idempotent so that a
 * retried activity never duplicates a row: orders by primary key, payments by
 * payment id, events by (order id, dedupe key).
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Address, OrderInput, OrderState } from '@order-fulfillment/contracts';
import { EventEntity } from './entities/event.entity';
import { OrderEntity } from './entities/order.entity';
import { PaymentEntity } from './entities/payment.entity';

export interface NewEvent {
  orderId: string;
  type: string;
  payload?: Record<string, unknown>;
  dedupeKey?: string | null;
}

export type ChargeOutcome =
  | { kind: 'charged'; payment: PaymentEntity }
  | { kind: 'already_charged'; payment: PaymentEntity }
  | { kind: 'conflict'; payment: PaymentEntity };

export interface OrderPage {
  orders: OrderEntity[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export class OrderStore {
  constructor(private readonly dataSource: DataSource) {}

  // The three writes on every order's hot path (receive, transition, event) are
  // single statements: each is atomic by itself and costs one round trip.

  /** Inserts the order in state `received` unless it exists. Returns true when inserted. */
  async receiveOrder(order: OrderInput): Promise<boolean> {
    const payload = { state: 'received', step: 'ReceiveOrder', paymentId: order.paymentId, items: order.items, address: order.address };
    const rows: { inserted: number }[] = await this.dataSource.query(
      `WITH o AS (
         INSERT INTO orders (id, state, address, items, payment_id) VALUES ($1, 'received', $2::jsonb, $3::jsonb, $4)
         ON CONFLICT (id) DO NOTHING RETURNING id),
       e AS (
         INSERT INTO events (order_id, type, payload, dedupe_key) VALUES ($1, 'transition', $5::jsonb, 'state:received')
         ON CONFLICT (order_id, dedupe_key) DO NOTHING RETURNING id)
       SELECT (SELECT count(*) FROM o)::int AS inserted, (SELECT count(*) FROM e)::int AS appended`,
      [order.orderId, json(order.address), json(order.items), order.paymentId, json(payload)],
    );
    return (rows[0]?.inserted ?? 0) > 0;
  }

  /**
   * Moves the order to `state` (with the workflow's current address) and
   * appends the transition event, once per dedupe key. Creates the row if it is
   * missing (an order whose ReceiveOrder never succeeded still ends with a row
   * saying how it ended). The workflow's address is the truth: an address change
   * that arrived before ReceiveOrder created the row is applied here at the latest.
   */
  async recordTransition(order: OrderInput, state: OrderState, dedupeKey: string, payload: Record<string, unknown> = {}): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH e AS (
         INSERT INTO events (order_id, type, payload, dedupe_key) VALUES ($1, 'transition', $2::jsonb, $3)
         ON CONFLICT (order_id, dedupe_key) DO NOTHING RETURNING id)
       INSERT INTO orders (id, state, address, items, payment_id)
       SELECT $1, $4, $5::jsonb, $6::jsonb, $7 WHERE EXISTS (SELECT 1 FROM e)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, address = EXCLUDED.address, updated_at = clock_timestamp()
       RETURNING id`,
      [order.orderId, json({ state, ...payload }), dedupeKey, state, json(order.address), json(order.items), order.paymentId],
    );
    return rows.length > 0;
  }

  /** Appends an event, once per dedupe key; optionally persists an accepted address change with it. */
  async recordEvent(event: NewEvent, address?: Address): Promise<boolean> {
    const rows: { appended: number }[] = await this.dataSource.query(
      `WITH e AS (
         INSERT INTO events (order_id, type, payload, dedupe_key) VALUES ($1, $2, $3::jsonb, $4)
         ON CONFLICT (order_id, dedupe_key) DO NOTHING RETURNING id),
       a AS (
         UPDATE orders SET address = $5::jsonb WHERE id = $1 AND $5::jsonb IS NOT NULL AND EXISTS (SELECT 1 FROM e) RETURNING id)
       SELECT (SELECT count(*) FROM e)::int AS appended, (SELECT count(*) FROM a)::int AS updated`,
      [event.orderId, event.type, json(event.payload ?? {}), event.dedupeKey ?? null, address ? json(address) : null],
    );
    return (rows[0]?.appended ?? 0) > 0;
  }

  async appendEvent(em: EntityManager, event: NewEvent): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .insert()
      .into(EventEntity)
      .values({ orderId: event.orderId, type: event.type, payload: () => ':payload::jsonb', dedupeKey: event.dedupeKey ?? null })
      .setParameter('payload', JSON.stringify(event.payload ?? {}))
      .orIgnore()
      .returning(['id'])
      .execute();
    return result.raw.length > 0;
  }

  /**
   * Records a charge exactly once per payment id, also under concurrent calls:
   * the primary key decides, `ON CONFLICT DO NOTHING` makes the loser a no-op.
   */
  async charge(paymentId: string, orderId: string, amount: number): Promise<ChargeOutcome> {
    return this.dataSource.transaction(async (em) => {
      const inserted = await em
        .createQueryBuilder()
        .insert()
        .into(PaymentEntity)
        .values({ paymentId, orderId, status: 'charged', amount: amount.toFixed(2) })
        .orIgnore()
        .returning('*')
        .execute();
      const payment = await em.findOneByOrFail(PaymentEntity, { paymentId });
      if (inserted.raw.length > 0) {
        await this.appendEvent(em, { orderId, type: 'payment_charged', dedupeKey: `payment:${paymentId}:charged`, payload: { paymentId, amount } });
        return { kind: 'charged', payment };
      }
      return { kind: payment.orderId === orderId ? 'already_charged' : 'conflict', payment };
    });
  }

  async findPayment(paymentId: string): Promise<PaymentEntity | null> {
    return this.dataSource.manager.findOneBy(PaymentEntity, { paymentId });
  }

  /** Marks a charged payment refunded; returns false when there was nothing to refund. */
  async refund(paymentId: string, orderId: string, reason: string): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const updated = await em
        .createQueryBuilder()
        .update(PaymentEntity)
        .set({ status: 'refunded', updatedAt: () => 'clock_timestamp()' })
        .where('payment_id = :paymentId AND order_id = :orderId AND status = :charged', { paymentId, orderId, charged: 'charged' })
        .execute();
      const refunded = (updated.affected ?? 0) > 0;
      if (refunded) {
        await this.appendEvent(em, { orderId, type: 'payment_refunded', dedupeKey: `payment:${paymentId}:refunded`, payload: { paymentId, reason } });
      }
      return refunded;
    });
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
