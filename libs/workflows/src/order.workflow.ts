/**
 * OrderWorkflow: ReceiveOrder -> ValidateOrder -> ManualReview -> ChargePayment
 * -> ShippingWorkflow (child, retried) -> MarkShipped, inside a 15 s budget.
 *
 * The workflow owns the order's state. Every transition is mirrored to the
 * database by a local activity; cancellation and failures compensate (refund)
 * before the order ends. Dispatch is a commit point owned by this workflow: the
 * shipping child asks before it calls the carrier, so "cancel after dispatch"
 * and "the dispatch uses the latest address" are decided in one place.
 *
 * Dispatch is also the point of no return (SPEC §1, ADR 009). Before it, the
 * deadline or a cancel stops the steps and the order is refunded. From the
 * moment dispatch is approved nothing stops the order: the shipment is asked
 * for under the same id until the carrier answers, MarkShipped is retried until
 * it succeeds, and an order that finishes past its deadline is `completed` and
 * flagged late. Goods never leave unpaid, and money is never kept for goods
 * that did not leave: a refund is retried until it succeeds.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  ActivityName,
  Address,
  AddressUpdate,
  ApproveRequest,
  BookkeepingActivities,
  CancelRequest,
  DispatchApproved,
  EventRecord,
  MessageAccepted,
  OrderActivities,
  OrderResult,
  OrderState,
  OrderStatus,
  OrderStep,
  OrderWorkflowInput,
  ShippingResult,
} from '@order-fulfillment/contracts';
import {
  NON_RETRYABLE_ERRORS,
  REFUSALS,
  SHIPPING_TASK_QUEUE,
  SHIPPING_WORKFLOW_TYPE,
  addressProblems,
  approveOrderSignal,
  approveOrderUpdate,
  cancelOrderSignal,
  cancelOrderUpdate,
  dispatchApprovedSignal,
  dispatchFailedSignal,
  isTerminalState,
  orderAmount,
  orderWorkflowId,
  readyToDispatchSignal,
  requestDispatchUpdate,
  shippingWorkflowId,
  statusQuery,
  updateAddressSignal,
  updateAddressUpdate,
  WORKFLOW_TASK_TIMEOUT_MS,
} from '@order-fulfillment/contracts';
import { CallContext, CallHow, callActivity } from './activity-calls';
import type { ShippingWorkflow } from './shipping.workflow';
import { describeFailure, rootFailureType } from './failures';
import { orderWorkflowV1 } from './legacy/order-v1.workflow';
import { PATCHES, PatchSet } from './patches';
import { OrderTelemetry } from './order-telemetry';

const bookkeeping = proxyLocalActivities<BookkeepingActivities>({
  startToCloseTimeout: '5s',
  scheduleToCloseTimeout: '60s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '2s' },
});

type StopReason = { kind: 'cancelled'; reason: string } | { kind: 'deadline' };
/** Why the steps ended early (null: they all ran). */
type StepsOutcome = StopReason | { kind: 'failed'; reason: string } | null;

/** Longest wait between rounds of a call that must not give up (refunds, an approved shipment). */
const MAX_ROUND_BACKOFF_MS = 30_000;

export async function OrderWorkflow(input: OrderWorkflowInput): Promise<OrderResult> {
  // One marker per order (ADR 052); orders started by the previous release replay through its frozen code.
  const patches = new PatchSet(PATCHES.orderOneMarker);
  if (!patches.has(PATCHES.moneyAndGoods)) return orderWorkflowV1(input);
  const order = new OrderRun(input, patches);
  order.listen();
  // Cancelling the execution in Temporal (UI, CLI) is a cancel request like
  // CancelOrder: honoured before dispatch, refused after. Everything else runs
  // shielded from it; only this workflow decides when its steps stop.
  CancellationScope.current().cancelRequested.catch(() => order.cancelRequestedInTemporal());
  return CancellationScope.nonCancellable(async () => {
    const result = await order.run();
    await condition(allHandlersFinished);
    if (result.state === 'failed') {
      // A failed order fails its execution too, so the Temporal UI tells the truth.
      throw ApplicationFailure.nonRetryable(`order ${result.orderId} failed: ${result.reason}`, 'OrderFailed', result);
    }
    return result;
  });
}

class OrderRun implements CallContext {
  private readonly status: OrderStatus;
  private readonly deadlineAt: number;
  private stop: StopReason | null = null;
  /** Set once the steps are over: the order is being concluded. */
  private concluding = false;
  /**
   * Set when the review starts: from then on a charge may exist, whatever this
   * history shows. ChargePayment may have run as a local activity in a workflow
   * task that was never committed (timed out, or refused because a message
   * arrived), and the retried task may have taken another path. So an order
   * that ends unshipped after this point always asks for a refund, which voids
   * a payment that was never charged.
   */
  private chargePossible = false;
  private eventSeq = 0;
  /** Numbers each accepted address; the database keeps the highest, so out-of-order writes cannot win. */
  private addressSeq = 0;
  /** Metrics and search attributes (order-telemetry.ts). */
  private readonly telemetry: OrderTelemetry;
  /** Handlers answer without waiting for their audit write (false: an execution started before ADR 051). */
  private readonly handlersAnswerAtOnce: boolean;
  /** Audit writes the message handlers started and the order has not yet seen land. */
  private readonly handlerWrites = new Set<Promise<void>>();

  constructor(
    private readonly input: OrderWorkflowInput,
    private readonly patches: PatchSet,
  ) {
    const { order, policy } = input;
    // The budget runs from the moment the order was accepted (the execution's
    // start), not from the first workflow task, which may come later.
    const startedAt = workflowInfo().startTime.getTime();
    this.deadlineAt = startedAt + policy.deadlineMs;
    this.status = {
      orderId: order.orderId,
      workflowId: workflowInfo().workflowId,
      state: 'received',
      step: null,
      items: order.items,
      address: order.address,
      payment: { paymentId: order.paymentId, status: 'pending', amount: orderAmount(order.items) },
      shipping: { attempt: 0, maxAttempts: policy.shipping.maxAttempts, dispatched: false, workflowId: null, carrierRef: null },
      attempts: {},
      lastError: null,
      reason: null,
      late: false,
      refundOwed: false,
      review: { approved: false, by: null },
      retryMode: policy.retryMode,
      startedAt: new Date(startedAt).toISOString(),
      deadline: new Date(this.deadlineAt).toISOString(),
      timeline: [],
    };
    this.telemetry = new OrderTelemetry(startedAt, patches);
    this.telemetry.sync(this.status);
    this.handlersAnswerAtOnce = patches.has(PATCHES.handlersAnswerAtOnce);
  }

  /** No more changes are taken: the order is cancelled, out of budget, or concluding. */
  private get ending(): boolean {
    return this.stop !== null || this.concluding || isTerminalState(this.status.state);
  }

  /** The order's fault plan (chaos testing), handed to every external call. */
  private get faults() {
    return this.input.faults ?? null;
  }

  // --- CallContext -----------------------------------------------------------
  policyFor(name: ActivityName) {
    return this.input.policy.activities[name];
  }
  budgetEndsAt(): number | null {
    return this.input.policy.retryMode === 'deadline' ? this.deadlineAt : null;
  }
  countAttempts(name: ActivityName, count: number): void {
    this.status.attempts[name] = (this.status.attempts[name] ?? 0) + count;
  }

  // --- messages --------------------------------------------------------------
  listen(): void {
    setHandler(statusQuery, () => this.status);

    setHandler(cancelOrderUpdate, (req) => this.cancel(req, 'update'), { validator: (_req) => this.assertCancellable() });
    setHandler(
      cancelOrderSignal,
      this.guarded('CancelOrder', async (req) => {
        const refusal = this.cancelRefusal();
        if (refusal) await this.audit('cancel_refused', { via: 'signal', reason: refusal });
        else await this.cancel(req, 'signal');
      }),
    );

    setHandler(updateAddressUpdate, (req) => this.changeAddress(req.address, 'update'), {
      validator: (req) => this.assertAddressChangeable(req),
    });
    setHandler(
      updateAddressSignal,
      this.guarded('UpdateAddress', async (req) => {
        const refusal = this.addressRefusal(req);
        if (refusal) await this.audit('address_update_refused', { via: 'signal', reason: refusal });
        else await this.changeAddress(req.address, 'signal');
      }),
    );

    setHandler(approveOrderUpdate, (req) => this.approve(req, 'update'), { validator: (_req) => this.assertApprovable() });
    setHandler(
      approveOrderSignal,
      this.guarded('ApproveOrder', async (req) => {
        const refusal = this.approveRefusal();
        if (refusal) await this.audit('approve_refused', { via: 'signal', reason: refusal });
        else await this.approve(req, 'signal');
      }),
    );

    // The shipping child asks before calling the carrier: dispatch is our commit point.
    // The answer is the update's: refused by the validator, approved (with the address) by the handler (ADR 047).
    setHandler(requestDispatchUpdate, ({ attempt }) => this.approveDispatch(attempt), {
      validator: ({ attempt }) => this.assertDispatchable(attempt),
    });
    // Children started before ADR 047 ask by signal and wait for DispatchApproved.
    setHandler(
      readyToDispatchSignal,
      this.guarded('ReadyToDispatch', async ({ attempt }) => {
        if (attempt !== this.status.shipping.attempt) return;
        if (!this.status.shipping.dispatched) {
          if (this.ending) return; // cancelled or out of budget: this child will be cancelled
          if (Date.now() >= this.deadlineAt) {
            // The deadline and this request arrived together: the deadline wins, nothing has shipped.
            this.stop = { kind: 'deadline' };
            return;
          }
          this.status.shipping.dispatched = true;
          this.note('dispatch_approved', 'ShippingWorkflow', `attempt ${attempt}`);
        }
        // Approved (again, if a restarted child of this shipment asks): it carries the address to ship to.
        await getExternalWorkflowHandle(shippingWorkflowId(this.status.orderId, attempt)).signal(dispatchApprovedSignal, {
          address: this.status.address,
        });
      }),
    );
    setHandler(
      dispatchFailedSignal,
      this.guarded('DispatchFailed', async ({ attempt, reason }) => {
        this.status.lastError = `shipping attempt ${attempt}: ${reason}`;
        await this.audit('dispatch_failed', { attempt, reason });
      }),
    );
  }

  private dispatchRefusal(attempt: number): string | null {
    if (attempt !== this.status.shipping.attempt)
      return `shipping attempt ${attempt} is not the current one (${this.status.shipping.attempt})`;
    if (this.status.shipping.dispatched) return null; // asked again (a restarted child of this shipment): same answer
    if (this.ending) {
      if (this.stop?.kind === 'cancelled') return `order cancelled: ${this.stop.reason}`;
      return this.stop?.kind === 'deadline' ? 'deadline_exceeded' : REFUSALS.alreadyFinished;
    }
    // The deadline and this request arrived together: the deadline wins (its timer stops the order), nothing has shipped.
    if (Date.now() >= this.deadlineAt) return 'deadline_exceeded';
    return null;
  }
  private assertDispatchable(attempt: number): void {
    const refusal = this.dispatchRefusal(attempt);
    if (refusal) throw new Error(refusal);
  }
  /** The point of no return: from here the order ships (SPEC §1). */
  private approveDispatch(attempt: number): DispatchApproved {
    if (!this.status.shipping.dispatched) {
      this.status.shipping.dispatched = true;
      this.note('dispatch_approved', 'ShippingWorkflow', `attempt ${attempt}`);
    }
    return { address: this.status.address };
  }

  /**
   * A signal handler's error would fail the whole execution and skip
   * `conclude` (no refund, no terminal row). Its effect on the order has been
   * applied before any await, so an error here (a bookkeeping write that gave
   * up, a child that is already gone) is recorded and the order goes on.
   */
  private guarded<A>(signal: string, handler: (arg: A) => Promise<void>): (arg: A) => Promise<void> {
    return async (arg: A) => {
      try {
        await handler(arg);
      } catch (err) {
        if (isCancellation(err)) throw err;
        this.status.lastError = `${signal} handler: ${describeFailure(err)}`;
        this.note('signal_handler_failed', this.status.step, `${signal}: ${describeFailure(err)}`);
      }
    };
  }

  private cancelRefusal(): string | null {
    if (this.ending) return REFUSALS.alreadyFinished;
    if (this.status.shipping.dispatched) return REFUSALS.alreadyDispatched;
    return null;
  }
  private assertCancellable(): void {
    const refusal = this.cancelRefusal();
    if (refusal) throw new Error(refusal);
  }
  private async cancel(req: CancelRequest, via: 'signal' | 'update'): Promise<MessageAccepted> {
    const reason = req.reason?.trim() || 'cancelled by request';
    this.stop = { kind: 'cancelled', reason };
    const state = this.status.state;
    await this.handlerAudit('cancel_requested', { via, reason });
    return { accepted: true, state };
  }

  private addressRefusal(req: AddressUpdate): string | null {
    const problems = addressProblems(req?.address);
    if (problems.length) return problems.join('; ');
    if (this.ending) return REFUSALS.alreadyFinished;
    if (this.status.shipping.dispatched) return REFUSALS.alreadyDispatched;
    return null;
  }
  private assertAddressChangeable(req: AddressUpdate): void {
    const refusal = this.addressRefusal(req);
    if (refusal) throw new Error(refusal);
  }
  private async changeAddress(address: Address, via: 'signal' | 'update'): Promise<MessageAccepted> {
    this.status.address = address;
    const addressSeq = ++this.addressSeq;
    this.note('address_updated', this.status.step, `${address.street}, ${address.city}`);
    await this.handlerAudit('address_updated', { via, address, addressSeq }, { address, addressSeq });
    return { accepted: true, state: this.status.state };
  }

  private approveRefusal(): string | null {
    if (this.ending) return REFUSALS.alreadyFinished;
    const reviewOver = ['paid', 'shipping'].includes(this.status.state) || this.status.review.approved;
    if (reviewOver) return REFUSALS.notInReview;
    return null;
  }
  private assertApprovable(): void {
    const refusal = this.approveRefusal();
    if (refusal) throw new Error(refusal);
  }
  private async approve(req: ApproveRequest, via: 'signal' | 'update'): Promise<MessageAccepted> {
    this.status.review = { approved: true, by: req.by?.trim() || null };
    await this.handlerAudit('review_approved', { via, by: this.status.review.by });
    return { accepted: true, state: this.status.state };
  }

  // --- the story -------------------------------------------------------------
  /** Runs the steps, then concludes the order. Called in a non-cancellable scope. */
  async run(): Promise<OrderResult> {
    return this.conclude(await this.runStepsWithinBudget());
  }

  cancelRequestedInTemporal(): void {
    const refusal = this.cancelRefusal();
    if (refusal) this.note('cancel_refused', this.status.step, `workflow cancelled in Temporal: ${refusal}`);
    else this.stop ??= { kind: 'cancelled', reason: 'workflow cancelled in Temporal' };
  }

  private async steps(): Promise<void> {
    const { order, policy } = this.input;

    this.status.step = 'ReceiveOrder';
    const { faults } = this;
    await this.activity('ReceiveOrder', { order, faults });
    this.telemetry.stepDone('ReceiveOrder');
    this.note('received', 'ReceiveOrder');

    this.status.step = 'ValidateOrder';
    await this.activity('ValidateOrder', { order: { ...order, address: this.status.address }, faults });
    this.telemetry.stepDone('ValidateOrder');
    // Histories from before the batch record these two one by one.
    const batched = this.patches.has(PATCHES.batchedTransitions);
    if (batched) {
      this.chargePossible = true;
      this.status.step = 'ManualReview';
      await this.transitions([
        ['validated', 'ValidateOrder'],
        ['in_review', 'ManualReview'],
      ]);
    } else {
      await this.transition('validated', 'ValidateOrder');
      this.status.step = 'ManualReview';
      this.chargePossible = true;
      await this.transition('in_review', 'ManualReview');
    }
    const approvedEarly = await condition(() => this.status.review.approved, policy.reviewMs);
    this.note(approvedEarly ? 'review_approved' : 'review_timer_elapsed', 'ManualReview');
    this.telemetry.stepDone('ManualReview');

    this.status.step = 'ChargePayment';
    const { paymentId, amount } = this.status.payment;
    await this.activity('ChargePayment', { orderId: order.orderId, paymentId, amount, faults });
    this.status.payment.status = 'charged';
    this.telemetry.stepDone('ChargePayment');
    if (batched) {
      this.status.step = 'ShippingWorkflow';
      // The shipping attempt's upsert, in the code that runs next with no await between, carries
      // `shipping` and `charged` too (ADR 052); histories from before upsert them here.
      await this.transitions(
        [
          ['paid', 'ChargePayment'],
          ['shipping', 'ShippingWorkflow'],
        ],
        { index: !this.patches.has(PATCHES.orderOneMarker) },
      );
    } else {
      await this.transition('paid', 'ChargePayment');
      this.status.step = 'ShippingWorkflow';
      await this.transition('shipping', 'ShippingWorkflow');
    }
    const shipment = await this.shipWithRetries();
    this.telemetry.stepDone('ShippingWorkflow');
    this.status.shipping.carrierRef = shipment.carrierRef;
    for (const [name, count] of Object.entries(shipment.attempts ?? {})) this.countAttempts(name as ActivityName, count);

    // Past the point of no return: MarkShipped is retried until it succeeds, whatever the budget.
    this.status.step = 'MarkShipped';
    await this.activity('MarkShipped', { orderId: order.orderId, carrierRef: shipment.carrierRef, faults }, { mode: 'untilDone' });
    this.telemetry.stepDone('MarkShipped');
  }

  /**
   * Ships the order: one child per shipment attempt, up to the policy's limit.
   * A new attempt (under a new shipment id) only follows an attempt the carrier
   * never shipped: one that failed before dispatch was approved, or that the
   * carrier declined. An approved shipment that failed any other way may be on
   * its way, so it is asked for again under the same shipment id (the
   * carrier's idempotency key), for as long as it takes.
   */
  private async shipWithRetries(): Promise<ShippingResult> {
    const { order, policy } = this.input;
    for (let attempt = 1; ; attempt++) {
      const workflowId = shippingWorkflowId(order.orderId, attempt);
      this.status.shipping = { ...this.status.shipping, attempt, dispatched: false, workflowId };
      this.telemetry.sync(this.status);
      this.note('shipping_attempt', 'ShippingWorkflow', `attempt ${attempt}`);
      let error: unknown;
      for (let round = 1; ; round++) {
        try {
          return await this.runShipment(attempt, workflowId);
        } catch (err) {
          // Our own stop cancels the child only before dispatch; after it, a
          // cancelled child (an operator's doing) is resumed like a failed one.
          if (isCancellation(err) && !this.status.shipping.dispatched) throw err;
          error = err;
        }
        if (!this.status.shipping.dispatched || rootFailureType(error) === NON_RETRYABLE_ERRORS.carrierDeclined) break;
        this.status.lastError = `shipping attempt ${attempt}: ${describeFailure(error)}`;
        await this.audit('shipment_resumed', { attempt, round, error: describeFailure(error) });
        await sleep(roundBackoffMs(policy.shipping.backoffMs, round));
      }
      this.status.shipping.dispatched = false;
      this.status.lastError = `shipping attempt ${attempt}: ${describeFailure(error)}`;
      await this.audit('shipping_attempt_failed', { attempt, error: describeFailure(error) });
      if (attempt >= policy.shipping.maxAttempts) {
        throw ApplicationFailure.nonRetryable(`shipping failed after ${attempt} attempts`, 'ShippingFailed');
      }
      await sleep(policy.shipping.backoffMs * 2 ** (attempt - 1));
    }
  }

  private async runShipment(attempt: number, workflowId: string): Promise<ShippingResult> {
    const { order, policy } = this.input;
    const child = await startChild<typeof ShippingWorkflow>(SHIPPING_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: SHIPPING_TASK_QUEUE,
      args: [
        {
          orderId: order.orderId,
          attempt,
          items: order.items,
          address: this.status.address,
          policy,
          // A shipment already approved is past the budget's reach.
          budgetEndsAt: this.status.shipping.dispatched ? null : this.budgetEndsAt(),
          faults: this.faults,
        },
      ],
      cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      // Its chains of local-activity retries hand the task back as often as the order's do.
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT_MS,
      // No execution timeout: this workflow cancels the child when it must stop
      // before dispatch, and after dispatch nothing may cut the shipment short.
    });
    return child.result();
  }

  /**
   * Runs the steps until they finish, the order is cancelled, or the budget runs
   * out before dispatch. Returns why the steps stopped early, or null when they
   * all ran. Once dispatch is approved the deadline no longer stops them.
   */
  private async runStepsWithinBudget(): Promise<StepsOutcome> {
    const steps = new CancellationScope();
    const watchers = new CancellationScope();
    watchers
      .run(() => sleep(Math.max(0, this.deadlineAt - Date.now())))
      .then(() => {
        if (this.status.shipping.dispatched) this.note('deadline_passed_after_dispatch', this.status.step);
        else this.stop ??= { kind: 'deadline' };
      })
      .catch(() => undefined);
    const stopped = watchers.run(() => condition(() => this.stop !== null)).then(() => 'stopped' as const);
    stopped.catch(() => undefined);
    const finished = steps.run(() => this.steps()).then(() => 'finished' as const);
    try {
      // Do not wait for the steps to notice the cancellation: a step may not
      // (a child workflow whose start is in flight), and the order must still end.
      if ((await Promise.race([finished, stopped])) === 'finished') return null;
      steps.cancel();
      finished.catch(() => undefined);
      return this.stop;
    } catch (err) {
      if (this.stop) return this.stop;
      this.status.lastError = describeFailure(err);
      // In deadline mode an activity's schedule-to-close is the order's remaining
      // budget: its timing out is the deadline passing, whichever fired first.
      if (this.input.policy.retryMode === 'deadline' && Date.now() >= this.deadlineAt - 250) return { kind: 'deadline' };
      return { kind: 'failed', reason: failureReason(this.status.step, err) };
    } finally {
      watchers.cancel();
    }
  }

  /** Compensates if needed and records the terminal state. */
  private async conclude(stop: StepsOutcome): Promise<OrderResult> {
    this.concluding = true;
    if (stop === null) {
      this.status.step = null;
      this.status.late = Date.now() > this.deadlineAt;
      await this.handlerWritesLanded();
      await this.transition('completed', null, this.status.late ? { late: true } : {});
      return this.result('completed', null);
    }
    const state: OrderState = stop.kind === 'cancelled' ? 'cancelled' : 'failed';
    const reason = stop.kind === 'cancelled' ? stop.reason : stop.kind === 'deadline' ? 'deadline_exceeded' : stop.reason;
    this.status.reason = reason;
    await this.refundIfCharged(reason);
    this.status.step = null;
    await this.handlerWritesLanded();
    await this.transition(state, null, { reason });
    return this.result(state, reason);
  }

  /**
   * Gives the money back if a charge may exist (see {@link chargePossible}):
   * RefundPayment refunds a charge, voids a payment still in flight or never
   * made (so a late charge cannot stand), and is a remote activity, so it only
   * runs once the decision to compensate is in the history. It is retried until
   * it succeeds; past the compensation budget the order is flagged as owing a
   * refund (event, database flag, status) until it does.
   */
  private async refundIfCharged(reason: string): Promise<void> {
    if (!this.chargePossible) return;
    this.status.step = 'Compensation';
    this.telemetry.stepStarts();
    const { orderId, payment } = this.status;
    const owedAlarm = new CancellationScope();
    let flagged: Promise<void> = Promise.resolve();
    owedAlarm
      .run(() => sleep(this.input.policy.compensationMs))
      .then(() => {
        this.status.refundOwed = true;
        this.telemetry.refundOwed();
        flagged = this.audit('refund_pending', { paymentId: payment.paymentId, lastError: this.status.lastError }, { refundOwed: true });
      })
      .catch(() => undefined);
    try {
      for (let round = 1; ; round++) {
        try {
          const { refunded, outcome } = await this.activity(
            'RefundPayment',
            { orderId, paymentId: payment.paymentId, amount: payment.amount, reason, faults: this.faults },
            { mode: 'untilDone', remote: true },
          );
          this.status.payment.status = outcome ?? (refunded ? 'refunded' : 'voided');
          this.telemetry.stepDone('Compensation');
          this.telemetry.compensated(this.status.payment.status);
          this.note(refunded ? 'payment_refunded' : 'payment_voided', 'Compensation');
          return;
        } catch (err) {
          this.status.lastError = `refund failed: ${describeFailure(err)}`;
          await this.audit('compensation_failed', { round, error: describeFailure(err) });
          // A payment that belongs to another order is not ours to refund.
          if (rootFailureType(err) === NON_RETRYABLE_ERRORS.paymentMismatch) return;
          await sleep(roundBackoffMs(1_000, round));
        }
      }
    } finally {
      owedAlarm.cancel();
      // The flag's write lands before the terminal transition clears it.
      await flagged;
      this.status.refundOwed = false;
    }
  }

  // --- bookkeeping -----------------------------------------------------------
  /** Calls an order activity under its policy (kind, timeouts, retries, hedging). */
  private activity<K extends keyof OrderActivities>(
    name: K,
    request: Parameters<OrderActivities[K]>[0],
    how: CallHow = {},
  ): Promise<Awaited<ReturnType<OrderActivities[K]>>> {
    return callActivity<OrderActivities, typeof request, Awaited<ReturnType<OrderActivities[K]>>>(this, name, request, how);
  }

  private note(event: string, step: OrderStep | null, detail?: string): void {
    this.status.timeline.push({ event, step, at: new Date().toISOString(), ...(detail ? { detail } : {}) });
  }

  private async transition(state: OrderState, step: OrderStep | null, payload: Record<string, unknown> = {}): Promise<void> {
    await this.transitions([[state, step, payload]]);
  }

  /**
   * Records transitions, in order: one row each, written by one local activity
   * (RecordTransition for one, RecordTransitions for several that follow each
   * other with nothing between them). `index: false` leaves the search
   * attributes to the upsert the caller makes next, in the same run of code.
   */
  private async transitions(
    changes: Array<[OrderState, OrderStep | null, Record<string, unknown>?]>,
    { index = true }: { index?: boolean } = {},
  ): Promise<void> {
    // The database first, then the live status: the query never reports a
    // state the database does not have yet. The terminal transition carries the
    // final status, so a closed order reads the same from the database as a
    // running one does from the query.
    const entries = changes.map(([state, step]) => ({ event: state, step, at: new Date().toISOString() }));
    const records = changes.map(([state, step, payload = {}], i) => {
      const next: OrderStatus = { ...this.status, state, timeline: [...this.status.timeline, ...entries.slice(0, i + 1)] };
      const snapshot = isTerminalState(state) ? { status: next } : {};
      return {
        orderId: this.status.orderId,
        order: { ...this.input.order, address: this.status.address },
        state,
        step,
        dedupeKey: `state:${state}`,
        payload: { ...payload, ...snapshot, workflowId: orderWorkflowId(this.status.orderId) },
        addressSeq: this.addressSeq,
        late: this.status.late,
      };
    });
    // Each transition is one row and must land (a terminal one above all): an
    // outage longer than the local activity's own retries is waited out.
    const [last] = changes[changes.length - 1] ?? [this.status.state];
    for (let round = 1; ; round++) {
      try {
        if (records.length === 1) await bookkeeping.RecordTransition(records[0] as (typeof records)[number]);
        else await bookkeeping.RecordTransitions(records);
        break;
      } catch (err) {
        if (isCancellation(err)) throw err;
        this.status.lastError = `recording ${last}: ${describeFailure(err)}`;
        await sleep(roundBackoffMs(1_000, round));
      }
    }
    this.status.state = last;
    this.status.timeline.push(...entries);
    if (index) this.telemetry.sync(this.status);
    if (isTerminalState(last)) this.telemetry.ended(this.status);
  }

  /**
   * The audit write of a message handler (cancel, address change, approval).
   * The handler has applied its change before this; it answers without waiting
   * for the write, which the order waits for before it ends (`conclude`). A
   * handler that waited for its local activity completed its update after it,
   * and the main story's next command followed its own local activity: two
   * continuations whose order depended on how the worker grouped the two
   * results into activations, which a replay does not repeat. The replay then
   * met the update's completion where the workflow gave an upsert, a
   * nondeterminism error that left the order running for ever (ADR 051,
   * test/handler-replay.spec.ts).
   */
  private handlerAudit(type: string, payload: Record<string, unknown>, change: Pick<EventRecord, 'address' | 'addressSeq'> = {}): Promise<void> {
    if (!this.handlersAnswerAtOnce) return this.audit(type, payload, change);
    const write: Promise<void> = this.audit(type, payload, change)
      .catch(() => undefined) // cancelled: nothing to record; audit() notes every other failure itself
      .finally(() => this.handlerWrites.delete(write));
    this.handlerWrites.add(write);
    return Promise.resolve();
  }

  /** Waits for the handlers' audit writes: their events land before the order's end (and its snapshot) is written. */
  private async handlerWritesLanded(): Promise<void> {
    while (this.handlerWrites.size) await Promise.all([...this.handlerWrites]);
  }

  /** Appends an audit event. Never fails the order: an event that cannot be written is noted in the status. */
  private async audit(
    type: string,
    payload: Record<string, unknown>,
    change: Pick<EventRecord, 'address' | 'addressSeq' | 'refundOwed'> = {},
  ): Promise<void> {
    const seq = ++this.eventSeq;
    try {
      await bookkeeping.RecordEvent({ orderId: this.status.orderId, type, dedupeKey: `${type}:${seq}`, payload, ...change });
    } catch (err) {
      if (isCancellation(err)) throw err;
      this.status.lastError = `recording ${type}: ${describeFailure(err)}`;
      this.note('audit_failed', this.status.step, `${type}: ${describeFailure(err)}`);
    }
  }

  private result(state: OrderResult['state'], reason: string | null): OrderResult {
    const result: OrderResult = { orderId: this.status.orderId, state, reason, carrierRef: this.status.shipping.carrierRef };
    return this.status.late ? { ...result, late: true } : result;
  }
}

/** Exponential backoff between rounds of a call that must not give up, capped. */
function roundBackoffMs(baseMs: number, round: number): number {
  return Math.min(MAX_ROUND_BACKOFF_MS, Math.max(100, baseMs) * 2 ** Math.min(round - 1, 10));
}

function failureReason(step: OrderStep | null, err: unknown): string {
  const type = rootFailureType(err);
  if (type === 'InvalidOrder') return `invalid_order: ${rootMessage(err)}`;
  if (type === 'ShippingFailed') return 'shipping_failed';
  if (step === 'ChargePayment') return 'payment_failed';
  return `${(step ?? 'order').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}_failed`;
}

function rootMessage(err: unknown): string {
  let current: unknown = err;
  let message = String(err);
  while (current && typeof current === 'object') {
    message = (current as Error).message ?? message;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}
