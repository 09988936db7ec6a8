export { checkInvariants, formatReport } from './check';
export type { CheckOptions, CheckResult } from './check';
export { evaluate, holds, mergeReports, workflowMismatch, INVARIANTS } from './rules';
export type { InvariantName, InvariantReport, InvariantResult, Violation } from './rules';
export { detectSchema, loadDatabaseEvidence, loadWorkflowEvidence } from './load';
export type { Queryable } from './load';
export type { OrderEvidence, EvidenceSources, WorkflowEvidence } from './evidence';
export { runInvariants, RETRY_MODES } from './run';
export type { RunOptions, RunResult, ModeRun } from './run';
// Order plans (with the exercise's faults per order), for other suites that drive orders (chaos).
export { planOrders } from './plan';
export type { OrderPlan } from './plan';
export { seededRandom, freshSeed } from './random';
export { mapLimit } from './load';
