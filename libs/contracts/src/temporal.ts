import type { OrderWorkflowInput } from './workflow-io';

/**
 * Names every Temporal participant agrees on: task queues, workflow types and
 * the deterministic workflow ids derived from an order id.
 */
export const ORDERS_TASK_QUEUE = 'orders-tq';
export const SHIPPING_TASK_QUEUE = 'shipping-tq';

export const ORDER_WORKFLOW_TYPE = 'OrderWorkflow';
export const SHIPPING_WORKFLOW_TYPE = 'ShippingWorkflow';

export const orderWorkflowId = (orderId: string): string => `order-${orderId}`;
export const shippingWorkflowId = (orderId: string, attempt: number): string => `shipping-${orderId}-${attempt}`;

/**
 * How every order is started: the API starts them so, and the workflow tests
 * start theirs the same way. There is no execution timeout: a timeout would end
 * an order with no refund and no terminal row; the workflow owns every ending.
 */
export function orderStartOptions(input: OrderWorkflowInput): { taskQueue: string; workflowId: string; args: [OrderWorkflowInput] } {
  return { taskQueue: ORDERS_TASK_QUEUE, workflowId: orderWorkflowId(input.order.orderId), args: [input] };
}

/** The order id inside an order's or a shipment's workflow id; null for any other id. */
export function orderIdOfWorkflowId(workflowId: string): string | null {
  const order = /^order-(.+)$/.exec(workflowId);
  if (order) return order[1];
  const shipment = /^shipping-(.+)-\d+$/.exec(workflowId);
  return shipment ? shipment[1] : null;
}
