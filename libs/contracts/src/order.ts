/**
 * The order domain shared by every deployable: states, inputs, the live status
 * the workflow reports, and the pure validation rules. Nothing here touches I/O,
 * so workflow code, activities, the API and the CLI can all import it.
 */

/** Lifecycle states, lower case, as stored in `orders.state` and returned by the API. */
export const ORDER_STATES = [
  'received',
  'validated',
  'in_review',
  'paid',
  'shipping',
  'completed',
  'cancelled',
  'failed',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const TERMINAL_STATES: readonly OrderState[] = ['completed', 'cancelled', 'failed'];
export const isTerminalState = (state: string): boolean => (TERMINAL_STATES as readonly string[]).includes(state);

/** The named steps of the order story, in the order they run. */
export const ORDER_STEPS = [
  'ReceiveOrder',
  'ValidateOrder',
  'ManualReview',
  'ChargePayment',
  'ShippingWorkflow',
  'MarkShipped',
] as const;
export type OrderStep = (typeof ORDER_STEPS)[number] | 'Compensation';

export interface OrderItem {
  sku: string;
  qty: number;
  /** Unit price in the order currency; defaults to {@link DEFAULT_UNIT_PRICE}. */
  unitPrice?: number;
}

export interface Address {
  street: string;
  city: string;
  postalCode?: string;
  country?: string;
}

/**
 * Chaos testing for one order: the fault injector's settings for this order's
 * external calls, overriding the worker's. Accepted by the API only when
 * ALLOW_FAULT_INJECTION=true. `declineDispatchAttempts: N` makes the sandbox
 * carrier decline the first N shipping attempts (the shipping retry path).
 */
export interface FaultPlan {
  preset?: 'exercise';
  errorRate?: number;
  hangRate?: number;
  hangMs?: number;
  seed?: number;
  declineDispatchAttempts?: number;
}

/** What a caller supplies to start an order. */
export interface OrderInput {
  orderId: string;
  paymentId: string;
  items: OrderItem[];
  address: Address | null;
}

/** The seed's default basket: one item `ABC` x 1. */
export const DEFAULT_ITEMS: readonly OrderItem[] = Object.freeze([{ sku: 'ABC', qty: 1 }]);
export const DEFAULT_UNIT_PRICE = 10;

export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const LIMITS = {
  maxItems: 100,
  maxQty: 1000,
  maxSkuLength: 64,
  maxAddressField: 200,
  /**
   * Largest order total accepted (qty x unit price, summed). The charge is
   * stored as numeric(12,2), whose largest value is 9 999 999 999.99; this cap
   * keeps every accepted order far inside it.
   */
  maxOrderTotal: 10_000_000,
} as const;

export function orderAmount(items: readonly OrderItem[]): number {
  const cents = items.reduce((sum, item) => sum + Math.round((item.unitPrice ?? DEFAULT_UNIT_PRICE) * 100) * item.qty, 0);
  return cents / 100;
}

/**
 * Business validation of an order. Returns the list of problems (empty when the
 * order is valid). Shared by the ValidateOrder activity and by the API.
 */
export function orderProblems(order: Pick<OrderInput, 'items' | 'address'>): string[] {
  const problems: string[] = [];
  if (!Array.isArray(order.items) || order.items.length === 0) {
    problems.push('items: the order has no items');
  } else {
    if (order.items.length > LIMITS.maxItems) problems.push(`items: at most ${LIMITS.maxItems} items`);
    order.items.forEach((item, i) => {
      if (typeof item?.sku !== 'string' || item.sku.trim() === '' || item.sku.length > LIMITS.maxSkuLength) {
        problems.push(`items[${i}].sku: must be 1-${LIMITS.maxSkuLength} characters`);
      }
      if (!Number.isInteger(item?.qty) || item.qty < 1 || item.qty > LIMITS.maxQty) {
        problems.push(`items[${i}].qty: must be an integer from 1 to ${LIMITS.maxQty}`);
      }
      if (item?.unitPrice !== undefined && (!Number.isFinite(item.unitPrice) || item.unitPrice < 0)) {
        problems.push(`items[${i}].unitPrice: must be a non-negative number`);
      }
    });
    if (problems.length === 0 && orderAmount(order.items) > LIMITS.maxOrderTotal) {
      problems.push(`items: the order totals ${orderAmount(order.items)}, more than the largest accepted total of ${LIMITS.maxOrderTotal}`);
    }
  }
  if (order.address) problems.push(...addressProblems(order.address));
  return problems;
}

/**
 * A problem from {@link orderProblems} or {@link addressProblems} as the API
 * names it: `items[0].sku: must be ...` becomes `{ field: 'items.0.sku', reason: 'must be ...' }`.
 * `prefix` names where an address sits (`address`, or '' for a body that is the address).
 */
export function problemField(problem: string, prefix?: string): { field: string; reason: string } {
  const at = problem.indexOf(': ');
  let field = (at < 0 ? 'body' : problem.slice(0, at)).replace(/\[(\d+)\]/g, '.$1');
  if (prefix !== undefined && field.startsWith('address')) field = prefix + field.slice('address'.length).replace(/^\./, prefix ? '.' : '') || 'body';
  return { field, reason: at < 0 ? problem : problem.slice(at + 2) };
}

export function addressProblems(address: Partial<Address> | null | undefined): string[] {
  if (!address || typeof address !== 'object') return ['address: is required'];
  const problems: string[] = [];
  for (const field of ['street', 'city'] as const) {
    const value = address[field];
    if (typeof value !== 'string' || value.trim() === '') problems.push(`address.${field}: is required`);
    else if (value.length > LIMITS.maxAddressField) problems.push(`address.${field}: at most ${LIMITS.maxAddressField} characters`);
  }
  for (const field of ['postalCode', 'country'] as const) {
    const value = address[field];
    if (value !== undefined && value !== null && (typeof value !== 'string' || value.length > LIMITS.maxAddressField)) {
      problems.push(`address.${field}: must be a string of at most ${LIMITS.maxAddressField} characters`);
    }
  }
  return problems;
}

export type PaymentStatus = 'pending' | 'charged' | 'refunded' | 'voided' | 'failed';

export interface TimelineEntry {
  /** The state entered, or the event that happened (for example `address_updated`). */
  event: string;
  step: OrderStep | null;
  at: string;
  detail?: string;
}

/** The live state of an order, returned by the workflow's `status` query. */
export interface OrderStatus {
  orderId: string;
  workflowId: string;
  state: OrderState;
  step: OrderStep | null;
  items: OrderItem[];
  address: Address | null;
  payment: { paymentId: string; status: PaymentStatus; amount: number };
  shipping: {
    attempt: number;
    maxAttempts: number;
    dispatched: boolean;
    workflowId: string | null;
    carrierRef: string | null;
  };
  /** Attempts made per activity type (retries and hedged calls included). */
  attempts: Record<string, number>;
  lastError: string | null;
  /** Why the order was cancelled or failed (`deadline_exceeded`, `shipping_failed`, ...). */
  reason: string | null;
  /** Completed after its deadline: it had been dispatched, and dispatch is the point of no return. */
  late: boolean;
  /** A refund is owed and still being retried; the order ends once it succeeds. */
  refundOwed: boolean;
  review: { approved: boolean; by: string | null };
  /** How this order retries (its policy's mode); absent in orders started before it was shown. */
  retryMode?: 'seed' | 'deadline';
  startedAt: string;
  deadline: string;
  timeline: TimelineEntry[];
}

/** What OrderWorkflow returns when it ends. */
export interface OrderResult {
  orderId: string;
  state: Extract<OrderState, 'completed' | 'cancelled' | 'failed'>;
  reason: string | null;
  carrierRef: string | null;
  /** Completed after its deadline (dispatched before it, so finished rather than refunded). */
  late?: boolean;
}
