/**
 * Workflow definitions. This module is what workers hand to the Temporal bundler
 * (`workflowsPath`); it must stay deterministic: contracts and @temporalio/workflow only.
 */
export { OrderWorkflow } from './order.workflow';
export { ShippingWorkflow } from './shipping.workflow';
