/**
 * Gathers the evidence: bulk reads of the database (bookkeeping and, when
 * present, the sandbox ledgers) and per-order reads of Temporal.
 */
import { ApplicationFailure, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { OrderResult } from '@order-fulfillment/contracts';
import { orderWorkflowId } from '@order-fulfillment/contracts';
import type { CarrierShipment, EventRow, EvidenceSources, GatewayOperation, OrderEvidence, OrderRow, PaymentRow, WorkflowEvidence } from './evidence';

/** Anything that runs a query: a `pg` Client, Pool or PoolClient. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** The event types the rules read (the rest of the audit trail is not needed). */
const EVENT_TYPES = ['transition', 'payment_charged', 'payment_refunded', 'carrier_dispatched', 'order_shipped'];

export interface DatabaseEvidence {
  sources: Omit<EvidenceSources, 'temporal'>;
  orders: Map<string, Omit<OrderEvidence, 'workflow'>>;
}

/** Which optional parts of the schema exist (migration 002: the sandbox ledgers and the new order columns). */
export async function detectSchema(db: Queryable): Promise<DatabaseEvidence['sources']> {
  const { rows } = await db.query<{ table_schema: string; table_name: string; column_name: string }>(
    `SELECT table_schema, table_name, column_name FROM information_schema.columns
      WHERE (table_schema = current_schema() AND table_name = 'orders')
         OR (table_schema = 'sandbox' AND table_name IN ('gateway_operations', 'carrier_shipments'))`,
  );
  const has = (schema: 'current' | 'sandbox', table: string, column: string) =>
    rows.some((r) => (schema === 'sandbox' ? r.table_schema === 'sandbox' : r.table_schema !== 'sandbox') && r.table_name === table && r.column_name === column);
  return {
    gatewayLedger: ['idempotency_key', 'operation', 'payment_id', 'order_id'].every((c) => has('sandbox', 'gateway_operations', c)),
    carrierLedger: ['idempotency_key', 'order_id'].every((c) => has('sandbox', 'carrier_shipments', c)),
    refundOwedColumn: has('current', 'orders', 'refund_owed'),
    lateColumn: has('current', 'orders', 'late'),
  };
}

export async function loadDatabaseEvidence(db: Queryable, orderIds: readonly string[]): Promise<DatabaseEvidence> {
  const sources = await detectSchema(db);
  const ids = [...orderIds];
  const orders = new Map<string, Omit<OrderEvidence, 'workflow'>>(
    ids.map((orderId) => [orderId, { orderId, order: null, payments: [], events: [], gateway: sources.gatewayLedger ? [] : null, shipments: sources.carrierLedger ? [] : null }]),
  );
  const { rows: orderRows } = await db.query<{ id: string; state: string; payment_id: string; late: boolean | null; refund_owed: boolean | null }>(
    `SELECT id, state, payment_id,
            ${sources.lateColumn ? 'late' : 'NULL::boolean AS late'},
            ${sources.refundOwedColumn ? 'refund_owed' : 'NULL::boolean AS refund_owed'}
       FROM orders WHERE id = ANY($1)`,
    [ids],
  );
  const paymentOwner = new Map<string, string>();
  for (const r of orderRows) {
    const row: OrderRow = { state: r.state, paymentId: r.payment_id, late: r.late, refundOwed: r.refund_owed };
    const evidence = orders.get(r.id);
    if (evidence) evidence.order = row;
    paymentOwner.set(r.payment_id, r.id);
  }
  const paymentIds = [...paymentOwner.keys()];
  // A row is the order's when it names the order, or carries the order's payment id (whoever it names).
  const owners = (orderId: string | null, paymentId: string | null): string[] => {
    const found = new Set<string>();
    if (orderId && orders.has(orderId)) found.add(orderId);
    const byPayment = paymentId ? paymentOwner.get(paymentId) : undefined;
    if (byPayment) found.add(byPayment);
    return [...found];
  };

  const { rows: payments } = await db.query<{ payment_id: string; order_id: string; status: string; amount: string }>(
    `SELECT payment_id, order_id, status, amount FROM payments WHERE order_id = ANY($1) OR payment_id = ANY($2) ORDER BY payment_id`,
    [ids, paymentIds],
  );
  for (const p of payments) {
    const row: PaymentRow = { paymentId: p.payment_id, orderId: p.order_id, status: p.status, amount: Number(p.amount) };
    for (const owner of owners(p.order_id, p.payment_id)) orders.get(owner)?.payments.push(row);
  }

  const { rows: events } = await db.query<{ order_id: string; type: string; dedupe_key: string | null; state: string | null; payment_id: string | null }>(
    `SELECT order_id, type, dedupe_key, payload->>'state' AS state, payload->>'paymentId' AS payment_id
       FROM events WHERE order_id = ANY($1) AND type = ANY($2) ORDER BY id`,
    [ids, EVENT_TYPES],
  );
  for (const ev of events) {
    const row: EventRow = { type: ev.type, dedupeKey: ev.dedupe_key, state: ev.state, paymentId: ev.payment_id };
    orders.get(ev.order_id)?.events.push(row);
  }

  if (sources.gatewayLedger) {
    const { rows: ops } = await db.query<{ idempotency_key: string; operation: string; payment_id: string | null; order_id: string | null; amount: string | null }>(
      `SELECT idempotency_key, operation, payment_id, order_id, amount FROM sandbox.gateway_operations
        WHERE order_id = ANY($1) OR payment_id = ANY($2) ORDER BY created_at, idempotency_key`,
      [ids, paymentIds],
    );
    for (const op of ops) {
      const row: GatewayOperation = {
        idempotencyKey: op.idempotency_key,
        operation: op.operation,
        paymentId: op.payment_id,
        orderId: op.order_id,
        amount: op.amount === null ? null : Number(op.amount),
      };
      for (const owner of owners(op.order_id, op.payment_id)) orders.get(owner)?.gateway?.push(row);
    }
  }
  if (sources.carrierLedger) {
    const { rows: shipments } = await db.query<{ idempotency_key: string; order_id: string | null }>(
      `SELECT idempotency_key, order_id FROM sandbox.carrier_shipments WHERE order_id = ANY($1) ORDER BY created_at, idempotency_key`,
      [ids],
    );
    for (const s of shipments) {
      const row: CarrierShipment = { idempotencyKey: s.idempotency_key, orderId: s.order_id };
      if (s.order_id) orders.get(s.order_id)?.shipments?.push(row);
    }
  }
  return { sources, orders };
}

/** Temporal's view of one order: its workflow's outcome and its shipping children. */
export async function loadWorkflowEvidence(client: Client, orderId: string): Promise<WorkflowEvidence> {
  const workflowId = orderWorkflowId(orderId);
  const evidence: WorkflowEvidence = { workflowId, status: 'NOT_FOUND', result: null, failure: null, children: [] };
  const handle = client.workflow.getHandle<(...args: unknown[]) => Promise<OrderResult>>(workflowId);
  try {
    evidence.status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return evidence;
    return { ...evidence, status: 'UNKNOWN', error: message(err) };
  }
  try {
    if (evidence.status === 'COMPLETED') evidence.result = await handle.result();
    else if (evidence.status === 'FAILED') {
      try {
        await handle.result();
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        const cause = err.cause;
        const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as OrderResult | undefined) : undefined;
        evidence.failure = {
          type: cause instanceof ApplicationFailure ? (cause.type ?? null) : null,
          message: cause?.message ?? err.message,
          result: details ?? null,
        };
      }
    }
    // The children the parent started, from its own history.
    const history = await handle.fetchHistory();
    const childIds = new Set<string>();
    for (const event of history.events ?? []) {
      const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (id) childIds.add(id);
    }
    for (const childId of childIds) {
      try {
        const child = await client.workflow.getHandle(childId).describe();
        evidence.children.push({ workflowId: childId, status: child.status.name });
      } catch (err) {
        // Initiated but never started (the start was cancelled or refused): nothing ran.
        if (err instanceof WorkflowNotFoundError) evidence.children.push({ workflowId: childId, status: 'NOT_STARTED' });
        else throw err;
      }
    }
  } catch (err) {
    evidence.error = message(err);
  }
  return evidence;
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
