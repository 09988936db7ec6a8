import { patched } from '@temporalio/workflow';

/**
 * Patch ids of workflow changes that running executions must not see (ADR 009).
 * A history recorded before a change has no marker for its id, so `patched()`
 * answers false there and the workflow keeps the behaviour it was started with.
 * Workflows ask through {@link PatchSet}: a new history carries one marker per
 * workflow, its newest patch's, which stands for every earlier one (ADR 052).
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
  /**
   * OrderWorkflow's newest patch (ADR 052): it stands for every patch above.
   * Its own change: an order started with its first search-attribute values
   * (`orderStartOptions`) upserts nothing at its start, and the `shipping`
   * state and `charged` payment leave with the shipping attempt's upsert, in
   * the code that runs next, instead of in one of their own.
   */
  orderOneMarker: 'order-one-marker',
  /**
   * ShippingWorkflow's newest patch, with no change of its own: it stands for
   * dispatchUntilDefinitive and dispatchByUpdate (ADR 050, ADR 052).
   */
  shippingOneMarker: 'shipping-one-marker',
} as const;

/**
 * `patched()` for the patches of one workflow type, asking for its newest
 * first (ADR 052). Every `patched()` that answers true leaves a marker and an
 * upsert of the SDK's TemporalChangeVersion search attribute in the history,
 * two commands the server validates, applies and stores: one per patch cost
 * every new order eight events more than one per workflow. A
 * workflow started since has the newest patch's marker only, and it stands
 * for every earlier patch. A history recorded before has no such marker; there
 * the earlier patches are asked for one by one, where and in the order the
 * code always asked for them, so its replay sees the commands it recorded.
 */
export class PatchSet {
  private newestApplies: boolean | undefined;

  constructor(private readonly newest: string) {}

  has(id: string): boolean {
    this.newestApplies ??= patched(this.newest);
    return this.newestApplies || (id !== this.newest && patched(id));
  }
}
