export { startStack, appEntry, redact, ALL_APPS } from './stack';
export type { AppName, Stack, StackOptions } from './stack';
// The infrastructure pieces, for callers that already import them from here.
export * from '@order-fulfillment/infra';
export { startIsolatedStack } from './isolated';
export type { IsolatedStack } from './isolated';
