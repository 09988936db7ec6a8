/**
 * One shape for an order whether it is running (from the workflow's `status`
 * query) or closed (from the database: the terminal transition carries the
 * workflow's final status).
 */
import type { OrderStatus } from '@order-fulfillment/contracts';
import { isTerminalState, orderAmount, orderWorkflowId } from '@order-fulfillment/contracts';
import type { EventEntity, OrderEntity, PaymentEntity } from '@order-fulfillment/db';

export interface OrderView extends OrderStatus {
  /** Where this view came from. */
  source: 'workflow' | 'database';
  createdAt: string | null;
  updatedAt: string | null;
}

export function viewFromWorkflow(status: OrderStatus, row: OrderEntity | null): OrderView {
  return { ...status, source: 'workflow', createdAt: row?.createdAt.toISOString() ?? null, updatedAt: row?.updatedAt.toISOString() ?? null };
}

/** The view of an order from its rows; used when the workflow is closed or unreachable. */
export function viewFromDatabase(row: OrderEntity, payment: PaymentEntity | null, events: EventEntity[]): OrderView {
  const terminal = [...events].reverse().find((e) => e.type === 'transition' && isTerminalState(String(e.payload['state'])));
  const snapshot = terminal?.payload['status'] as OrderStatus | undefined;
  const base: OrderStatus = snapshot ?? {
    orderId: row.id,
    workflowId: orderWorkflowId(row.id),
    state: row.state,
    step: null,
    items: row.items,
    address: row.address,
    payment: { paymentId: row.paymentId, status: 'pending', amount: orderAmount(row.items) },
    shipping: { attempt: 0, maxAttempts: 0, dispatched: false, workflowId: null, carrierRef: null },
    attempts: {},
    lastError: null,
    reason: (terminal?.payload['reason'] as string | undefined) ?? null,
    late: row.late,
    refundOwed: row.refundOwed,
    review: { approved: false, by: null },
    startedAt: row.createdAt.toISOString(),
    deadline: '',
    timeline: events
      .filter((e) => e.type === 'transition')
      .map((e) => ({ event: String(e.payload['state']), step: (e.payload['step'] as OrderStatus['step']) ?? null, at: e.ts.toISOString() })),
  };
  return {
    ...base,
    state: row.state,
    address: row.address,
    // The row's flags are current; a snapshot from an earlier release lacks them.
    late: row.late,
    refundOwed: row.refundOwed,
    payment: payment ? { paymentId: payment.paymentId, status: payment.status, amount: Number(payment.amount) } : base.payment,
    source: 'database',
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
