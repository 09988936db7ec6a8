/**
 * What the checker knows about one order, gathered from the three witnesses:
 * our own bookkeeping (orders, payments, events), the sandbox external systems'
 * ledgers (what the payment gateway and the carrier actually did: the strongest
 * evidence), and Temporal (how the workflow and its shipping children ended).
 *
 * Plain data: the rules in `rules.ts` are pure functions of it.
 */
import type { OrderResult } from '@order-fulfillment/contracts';

export interface OrderRow {
  state: string;
  paymentId: string;
  /** null when the column does not exist (before migration 002). */
  late: boolean | null;
  refundOwed: boolean | null;
}

export interface PaymentRow {
  paymentId: string;
  orderId: string;
  status: string;
  amount: number;
}

export interface EventRow {
  type: string;
  dedupeKey: string | null;
  /** payload.state, for `transition` events. */
  state: string | null;
  /** payload.paymentId, for payment events. */
  paymentId: string | null;
}

export interface GatewayOperation {
  idempotencyKey: string;
  operation: 'charge' | 'refund' | string;
  paymentId: string | null;
  orderId: string | null;
  amount: number | null;
}

export interface CarrierShipment {
  /** The shipment id, `shipping-<orderId>-<attempt>`. */
  idempotencyKey: string;
  orderId: string | null;
}

/** Temporal's view: describe() status name (COMPLETED, FAILED, RUNNING, TIMED_OUT, ...) or NOT_FOUND. */
export interface WorkflowEvidence {
  workflowId: string;
  status: string;
  /** The returned value, when the execution completed. */
  result: OrderResult | null;
  /** The failure, when the execution failed: its application type and details[0]. */
  failure: { type: string | null; message: string; result: OrderResult | null } | null;
  /** Shipping children the parent started (from its history), with their own status. */
  children: Array<{ workflowId: string; status: string }>;
  /** Set when Temporal could not be read for this order. */
  error?: string;
}

export interface OrderEvidence {
  orderId: string;
  order: OrderRow | null;
  payments: PaymentRow[];
  events: EventRow[];
  /** The gateway's operations for this order (null: ledger missing). */
  gateway: GatewayOperation[] | null;
  /** The carrier's shipments for this order (null: ledger missing). */
  shipments: CarrierShipment[] | null;
  /** null: Temporal was not consulted. */
  workflow: WorkflowEvidence | null;
}

/** Which witnesses were available for the whole check. */
export interface EvidenceSources {
  gatewayLedger: boolean;
  carrierLedger: boolean;
  /** orders.refund_owed exists. */
  refundOwedColumn: boolean;
  /** orders.late exists. */
  lateColumn: boolean;
  temporal: boolean;
}
