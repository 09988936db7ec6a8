import type { SearchAttributePair } from '@temporalio/common';
import type { OrderWorkflowInput } from './workflow-io';
import { initialOrderSearchAttributes } from './search-attributes';

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
 * The workflow task timeout of orders and their shipments (ADR 049). A worker
 * running a chain of local-activity retries hands the task back at 80 % of it
 * (the SDK's heartbeat), so messages that arrived meanwhile reach the workflow
 * within about 2.4 s, without a server timer between the retries; a server
 * timer shorter than about a second fires after about a second. The worker's
 * own processing of a task takes milliseconds, so 3 s leaves it ample room.
 */
export const WORKFLOW_TASK_TIMEOUT_MS = 3_000;

/**
 * How every order is started: the API starts them so, and the workflow tests
 * start theirs the same way. There is no execution timeout: a timeout would end
 * an order with no refund and no terminal row; the workflow owns every ending.
 * The order's search attributes start with its first values, so the workflow
 * does not upsert them in its first task: the start carries them at no extra
 * cost (ADR 052).
 */
export function orderStartOptions(input: OrderWorkflowInput): {
  taskQueue: string;
  workflowId: string;
  args: [OrderWorkflowInput];
  workflowTaskTimeout: number;
  typedSearchAttributes: SearchAttributePair[];
} {
  return {
    taskQueue: ORDERS_TASK_QUEUE,
    workflowId: orderWorkflowId(input.order.orderId),
    args: [input],
    workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT_MS,
    typedSearchAttributes: initialOrderSearchAttributes(),
  };
}

/** The order id inside an order's or a shipment's workflow id; null for any other id. */
export function orderIdOfWorkflowId(workflowId: string): string | null {
  const order = /^order-(.+)$/.exec(workflowId);
  if (order) return order[1];
  const shipment = /^shipping-(.+)-\d+$/.exec(workflowId);
  return shipment ? shipment[1] : null;
}
