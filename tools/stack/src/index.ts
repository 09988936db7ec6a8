export { startStack, appEntry, appOf, redact, restartDelay, shippingWorkerInstances, slowShippingEnv, ALL_APPS, DEFAULT_RESTART_POLICY } from './stack';
export type { AppName, InstanceName, RestartPolicy, Stack, StackOptions } from './stack';
// The infrastructure pieces, for callers that already import them from here.
export * from '@order-fulfillment/infra';
export { startIsolatedStack } from './isolated';
export type { IsolatedStack, IsolatedStackOptions } from './isolated';
export { carrierCallStarts } from './shipping-history';
export type { CarrierCallStart } from './shipping-history';
