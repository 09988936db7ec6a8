import { patched } from '@temporalio/workflow';

/**
 * Patch ids of workflow changes that running executions must not see (ADR 009).
 * A history recorded before a change has no marker for its id, so `patched()`
 * answers false there and the workflow keeps the behaviour it was started with.
 * Workflows ask through {@link PatchSet}: a new history carries one marker per
 * workflow, the newest patch's, which implies every earlier one (ADR 050).
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
  /**
   * OrderWorkflow does the same with fewer local activities and commands (ADR 050):
   * ValidateOrder and ChargePayment, as local activities, write the
   * transitions they lead to (validated + in_review, paid + shipping) once
   * they have had their effect; the shipping attempt's upsert carries the
   * state and payment that change just before it, and nothing is upserted at
   * the start when the order was started with its first values.
   * OrderWorkflow's newest patch: it implies every earlier one.
   */
  fewerCommands: 'fewer-commands-per-order',
  /** ShippingWorkflow's newest patch, with no change of its own: it implies dispatchUntilDefinitive and dispatchByUpdate (ADR 050). */
  shippingOneMarker: 'shipping-one-marker',
  /** OrderWorkflow upserts its search attributes (OrderState, ...) on each change (ADR 043). */
  searchAttributes: 'order-search-attributes',
} as const;

/**
 * `patched()` for the patches of one workflow type, asking for its newest
 * first (ADR 050). Every `patched()` that answers true leaves a marker and an
 * upsert of the TemporalChangeVersion search attribute in the history (a
 * visibility write on the server), so one per patch cost each order five
 * events and three writes more than one per workflow. A workflow started since
 * then has the newest patch's marker only, and it stands for every earlier
 * patch. A history recorded before has no such marker; there the earlier
 * patches are asked for one by one, where and in the order the code always
 * asked for them, so the replay sees the commands it recorded.
 */
export class PatchSet {
  private newestApplies: boolean | undefined;

  constructor(private readonly newest: string) {}

  has(id: string): boolean {
    this.newestApplies ??= patched(this.newest);
    return this.newestApplies || (id !== this.newest && patched(id));
  }
}
