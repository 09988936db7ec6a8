/** Entry point bundled by shipping-worker (`shipping-tq`): ShippingWorkflow only. */
export { ShippingWorkflow } from './shipping.workflow';
