/**
 * Patch ids of workflow changes that running executions must not see (ADR 009).
 * A history recorded before a change has no marker for its id, so `patched()`
 * answers false there and the workflow keeps the behaviour it was started with.
 */
export const PATCHES = {
  /**
   * The money-and-goods rules: dispatch is the point of no return, refunds
   * until they succeed, charges voided when a refund wins the race, the
   * deadline counted from the workflow's start. OrderWorkflow selects its
   * whole implementation on it (legacy/order-v1.workflow.ts otherwise).
   */
  moneyAndGoods: 'money-and-goods-v2',
  /** ShippingWorkflow: once dispatch is approved, the carrier is asked until it answers for good. */
  dispatchUntilDefinitive: 'dispatch-until-definitive',
  /**
   * ShippingWorkflow asks for dispatch with the parent's RequestDispatch
   * update, from a local activity, instead of the ReadyToDispatch /
   * DispatchApproved signal pair: three workflow tasks fewer per order (ADR 047).
   */
  dispatchByUpdate: 'dispatch-approval-update',
  /**
   * OrderWorkflow records transitions that follow each other with nothing
   * between them (validated + in_review, paid + shipping) in one local
   * activity, RecordTransitions: two activations fewer per order (ADR 047).
   */
  batchedTransitions: 'batched-transitions',
  /** OrderWorkflow upserts its search attributes (OrderState, ...) on each change (ADR 043). */
  searchAttributes: 'order-search-attributes',
  /**
   * OrderWorkflow's cancel, address and approval handlers answer without
   * waiting for their audit write; the order waits for those writes before it
   * ends. Awaiting it made a replay's command order depend on how local
   * activity results were grouped into activations (ADR 051).
   */
  handlersAnswerAtOnce: 'handlers-answer-at-once',
} as const;
