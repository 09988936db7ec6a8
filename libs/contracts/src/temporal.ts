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
