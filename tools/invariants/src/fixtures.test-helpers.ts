/**
 * Hand-built evidence for the rules' tests: a well-behaved order of each
 * ending, which a test then breaks in one way.
 */
import type { OrderResult } from '@order-fulfillment/contracts';
import type { EventRow, EvidenceSources, OrderEvidence } from './evidence';

export const ALL_SOURCES: EvidenceSources = { gatewayLedger: true, carrierLedger: true, refundOwedColumn: true, lateColumn: true, temporal: true };
export const BOOKKEEPING_ONLY: EvidenceSources = { gatewayLedger: false, carrierLedger: false, refundOwedColumn: false, lateColumn: false, temporal: false };

export const transitions = (...states: string[]): EventRow[] => states.map((state) => ({ type: 'transition', dedupeKey: `state:${state}`, state, paymentId: null }));
const event = (type: string, paymentId: string | null = null): EventRow => ({ type, dedupeKey: type, state: null, paymentId });

const result = (orderId: string, state: OrderResult['state'], reason: string | null = null): OrderResult => ({ orderId, state, reason, carrierRef: state === 'completed' ? `trk-shipping-${orderId}-1` : null });

/** Completed: charged once, shipped once, every witness agrees. */
export function completedOrder(orderId = 'ok-completed'): OrderEvidence {
  const paymentId = `pmt-${orderId}`;
  return {
    orderId,
    order: { state: 'completed', paymentId, late: false, refundOwed: false },
    payments: [{ paymentId, orderId, status: 'charged', amount: 10 }],
    events: [
      ...transitions('received', 'validated', 'in_review', 'paid', 'shipping'),
      event('payment_charged', paymentId),
      event('carrier_dispatched'),
      event('order_shipped'),
      ...transitions('completed'),
    ],
    gateway: [{ idempotencyKey: paymentId, operation: 'charge', paymentId, orderId, amount: 10 }],
    shipments: [{ idempotencyKey: `shipping-${orderId}-1`, orderId }],
    workflow: {
      workflowId: `order-${orderId}`,
      status: 'COMPLETED',
      result: result(orderId, 'completed'),
      failure: null,
      children: [{ workflowId: `shipping-${orderId}-1`, status: 'COMPLETED' }],
    },
  };
}

/** Cancelled after the charge: refunded, never shipped. */
export function cancelledOrder(orderId = 'ok-cancelled'): OrderEvidence {
  const paymentId = `pmt-${orderId}`;
  return {
    orderId,
    order: { state: 'cancelled', paymentId, late: false, refundOwed: false },
    payments: [{ paymentId, orderId, status: 'refunded', amount: 10 }],
    events: [...transitions('received', 'validated', 'in_review', 'paid'), event('payment_charged', paymentId), event('payment_refunded', paymentId), ...transitions('cancelled')],
    gateway: [
      { idempotencyKey: paymentId, operation: 'charge', paymentId, orderId, amount: 10 },
      { idempotencyKey: `refund:${paymentId}`, operation: 'refund', paymentId, orderId, amount: 10 },
    ],
    shipments: [],
    workflow: { workflowId: `order-${orderId}`, status: 'COMPLETED', result: result(orderId, 'cancelled', 'cancelled by request'), failure: null, children: [] },
  };
}

/** Failed before any charge (deadline in review): nothing to refund. */
export function failedOrder(orderId = 'ok-failed'): OrderEvidence {
  const paymentId = `pmt-${orderId}`;
  return {
    orderId,
    order: { state: 'failed', paymentId, late: false, refundOwed: false },
    payments: [],
    events: transitions('received', 'validated', 'failed'),
    gateway: [],
    shipments: [],
    workflow: {
      workflowId: `order-${orderId}`,
      status: 'FAILED',
      result: null,
      failure: { type: 'OrderFailed', message: `order ${orderId} failed: deadline_exceeded`, result: result(orderId, 'failed', 'deadline_exceeded') },
      children: [],
    },
  };
}
