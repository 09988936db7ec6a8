/** Entry point bundled by order-worker (`orders-tq`): OrderWorkflow only. */
export { OrderWorkflow } from './order.workflow';
