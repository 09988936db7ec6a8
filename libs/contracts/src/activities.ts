/**
 * Activity contracts. Workers implement these interfaces; workflows proxy them
 * with type-only imports, so workflow code never loads activity code.
 *
 * Activity names are PascalCase on purpose: they are the step names of the
 * order story and read the same in the Temporal UI.
 */
import type { Address, FaultPlan, OrderInput, OrderItem, OrderState, OrderStep } from './order';
import type { DispatchApproved } from './messages';

/** How an activity makes its external call: the order's fault plan and the hedge delay. */
export interface ExternalCallOptions {
  /** Chaos testing: the order's fault plan, overriding the worker's. */
  faults?: FaultPlan | null;
  /**
   * Tail tolerance for idempotent calls: when the external call has not answered
   * after this long, a second one is sent and the first success wins. 0 = off.
   */
  hedgeAfterMs?: number;
}

export interface OrderRequest extends ExternalCallOptions {
  order: OrderInput;
}

/** Every activity reports which attempt succeeded, for the status query. */
export interface AttemptInfo {
  attempt: number;
}

export interface ChargeRequest extends ExternalCallOptions {
  orderId: string;
  paymentId: string;
  amount: number;
}
export interface ChargeResult extends AttemptInfo {
  /** False when the payment id had already been charged (an idempotent replay). */
  charged: boolean;
}
export interface RefundRequest extends ExternalCallOptions {
  orderId: string;
  paymentId: string;
  reason: string;
  /** The order's amount, recorded on a payment voided before its charge landed. */
  amount?: number;
}
export interface RefundResult extends AttemptInfo {
  /** True when money had been taken and was given back. */
  refunded: boolean;
  /** `refunded`: the charge was given back; `voided`: nothing had been taken, and now no charge can land. */
  outcome?: 'refunded' | 'voided';
}
export interface MarkShippedRequest extends ExternalCallOptions {
  orderId: string;
  carrierRef: string;
}

/** Runs on `orders-tq` (order-worker). */
export interface OrderActivities {
  ReceiveOrder(request: OrderRequest): Promise<AttemptInfo>;
  ValidateOrder(request: OrderRequest): Promise<AttemptInfo>;
  ChargePayment(request: ChargeRequest): Promise<ChargeResult>;
  RefundPayment(request: RefundRequest): Promise<RefundResult>;
  MarkShipped(request: MarkShippedRequest): Promise<AttemptInfo>;
}

export interface PrepareRequest extends ExternalCallOptions {
  orderId: string;
  shipmentId: string;
  items: OrderItem[];
}
export interface PrepareResult extends AttemptInfo {
  packageId: string;
}
export interface DispatchRequest extends ExternalCallOptions {
  orderId: string;
  shipmentId: string;
  /** The shipping attempt (1-based) this dispatch belongs to. */
  attempt: number;
  packageId: string;
  address: Address | null;
}
export interface DispatchResult extends AttemptInfo {
  carrierRef: string;
}

/** Runs on `shipping-tq` (shipping-worker only). */
export interface ShippingActivities {
  PreparePackage(request: PrepareRequest): Promise<PrepareResult>;
  DispatchCarrier(request: DispatchRequest): Promise<DispatchResult>;
}

export interface DispatchGateRequest {
  /** The order workflow that decides (the child's parent). */
  parentWorkflowId: string;
  /** The shipment asking (the child's workflow id): the decision's update id derives from it. */
  shipmentId: string;
  attempt: number;
}
/**
 * How ShippingWorkflow asks its parent for dispatch (ADR 047): a local
 * activity on the shipping worker that sends the parent the RequestDispatch
 * update and returns its answer. Not an external call: no fault injection, and
 * its options are fixed rather than part of the order's policy.
 */
export interface DispatchGateActivities {
  RequestDispatch(request: DispatchGateRequest): Promise<DispatchApproved>;
}

/**
 * Bookkeeping that only writes our own database (no external call, no fault
 * injection). Run as local activities by both workers. Each carries a dedupe key
 * so a retried call never writes the same event twice.
 */
export interface TransitionRecord {
  orderId: string;
  /** The order as it stands, so the row exists even if ReceiveOrder never succeeded. */
  order: OrderInput;
  state: OrderState;
  step: OrderStep | null;
  dedupeKey: string;
  payload?: Record<string, unknown>;
  /** The workflow's address sequence number (see {@link EventRecord.addressSeq}). */
  addressSeq?: number;
  /** Completed after its deadline. */
  late?: boolean;
}
export interface EventRecord {
  orderId: string;
  type: string;
  dedupeKey: string;
  payload?: Record<string, unknown>;
  /** When set, also persist this address on the order (accepted address update). */
  address?: Address;
  /** The address's sequence number: the database keeps the highest. */
  addressSeq?: number;
  /** Sets or clears the order's refund-owed flag. */
  refundOwed?: boolean;
}
export interface BookkeepingActivities {
  RecordTransition(record: TransitionRecord): Promise<void>;
  /**
   * Transitions that follow each other with nothing between them (validated,
   * in_review; paid, shipping), in order, in one local activity: each is still
   * its own row under its own dedupe key.
   */
  RecordTransitions(records: TransitionRecord[]): Promise<void>;
  RecordEvent(record: EventRecord): Promise<void>;
}

export type ActivityName = keyof OrderActivities | keyof ShippingActivities;
export const ACTIVITY_NAMES: readonly ActivityName[] = [
  'ReceiveOrder',
  'ValidateOrder',
  'ChargePayment',
  'RefundPayment',
  'MarkShipped',
  'PreparePackage',
  'DispatchCarrier',
];

/** Error types that must never be retried. */
export const NON_RETRYABLE_ERRORS = {
  invalidOrder: 'InvalidOrder',
  paymentMismatch: 'PaymentMismatch',
  carrierDeclined: 'CarrierDeclined',
  /** The parent refused to dispatch (cancelled, out of budget, a stale attempt, or already ended). */
  dispatchRefused: 'DispatchRefused',
  paymentVoided: 'PaymentVoided',
} as const;
