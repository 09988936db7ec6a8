export { FaultInjector, INJECTED_FAULT, seededRandom, effectiveConfig, hedge } from './fault-injector';
export type { Outcome } from './fault-injector';
export { createOrderActivities, createBookkeepingActivities } from './order.activities';
export type { ActivityDeps } from './order.activities';
export { createShippingActivities } from './shipping.activities';
export { startWorker, workflowSource, buildWorkflowBundle } from './worker';
export type { WorkerSpec, RunningWorker } from './worker';
export { SandboxGateway, SandboxCarrier, SandboxWarehouse, PaymentVoidedError } from './sandbox';
export type { PaymentGateway, Carrier } from './sandbox';
