export { runChaos, FAULTS } from './run';
export type { ChaosOptions, FaultName, FaultRun } from './run';
export { faultLine, passed, verdictDetail, judge, postOrder, postOrders, settle } from './orders';
export type { FaultVerdict, PostOutcome, Client } from './orders';
