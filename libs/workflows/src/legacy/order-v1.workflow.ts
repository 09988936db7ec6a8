/**
 * OrderWorkflow as released before the money-and-goods patch (ADR 009), frozen.
 *
 * Orders started by that release replay through this code: `OrderWorkflow`
 * takes this path when its history has no `money-and-goods-v2` patch marker.
 * Do not edit it; the replay fixtures in test/histories/v1 prove it still
 * matches those histories. Delete it (and deprecate the patch) once no order of
 * that release can still be running: orders live for seconds, so one release later.
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
  shippingWorkflowId,
  statusQuery,
  updateAddressSignal,
  updateAddressUpdate,
} from '@order-fulfillment/contracts';
import { CallContext, callActivity } from './activity-calls-v1';
import type { ShippingWorkflow } from '../shipping.workflow';
import { describeFailure } from '../failures';

const bookkeeping = proxyLocalActivities<BookkeepingActivities>({
  startToCloseTimeout: '5s',
  scheduleToCloseTimeout: '60s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '2s' },
});

type StopReason = { kind: 'cancelled'; reason: string } | { kind: 'deadline' };
/** Why the steps ended early (null: they all ran). */
type StepsOutcome = StopReason | { kind: 'failed'; reason: string } | null;

export async function orderWorkflowV1(input: OrderWorkflowInput): Promise<OrderResult> {
  const order = new OrderRun(input);
  order.listen();
  const result = await order.run();
  await condition(allHandlersFinished);
  if (result.state === 'failed') {
    // A failed order fails its execution too, so the Temporal UI tells the truth.
    throw ApplicationFailure.nonRetryable(`order ${result.orderId} failed: ${result.reason}`, 'OrderFailed', result);
  }
  return result;
}

class OrderRun implements CallContext {
  private readonly status: OrderStatus;
  private readonly deadlineAt: number;
  private stop: StopReason | null = null;
  private compensationEndsAt: number | null = null;
  /** Set once the steps are over: the order is being concluded. */
  private concluding = false;
  private eventSeq = 0;

  constructor(private readonly input: OrderWorkflowInput) {
    const { order, policy } = input;
    const startedAt = Date.now();
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
      startedAt: new Date(startedAt).toISOString(),
      deadline: new Date(this.deadlineAt).toISOString(),
      timeline: [],
    };
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
    if (this.compensationEndsAt !== null) return this.compensationEndsAt;
    return this.input.policy.retryMode === 'deadline' ? this.deadlineAt : null;
  }
  countAttempts(name: ActivityName, count: number): void {
    this.status.attempts[name] = (this.status.attempts[name] ?? 0) + count;
  }

  // --- messages --------------------------------------------------------------
  listen(): void {
    setHandler(statusQuery, () => this.status);

    setHandler(cancelOrderUpdate, (req) => this.cancel(req, 'update'), { validator: (_req) => this.assertCancellable() });
    setHandler(cancelOrderSignal, async (req) => {
      const refusal = this.cancelRefusal();
      if (refusal) await this.audit('cancel_refused', { via: 'signal', reason: refusal });
      else await this.cancel(req, 'signal');
    });

    setHandler(updateAddressUpdate, (req) => this.changeAddress(req.address, 'update'), {
      validator: (req) => this.assertAddressChangeable(req),
    });
    setHandler(updateAddressSignal, async (req) => {
      const refusal = this.addressRefusal(req);
      if (refusal) await this.audit('address_update_refused', { via: 'signal', reason: refusal });
      else await this.changeAddress(req.address, 'signal');
    });

    setHandler(approveOrderUpdate, (req) => this.approve(req, 'update'), { validator: (_req) => this.assertApprovable() });
    setHandler(approveOrderSignal, async (req) => {
      const refusal = this.approveRefusal();
      if (refusal) await this.audit('approve_refused', { via: 'signal', reason: refusal });
      else await this.approve(req, 'signal');
    });

    // The shipping child asks before calling the carrier: dispatch is our commit point.
    setHandler(readyToDispatchSignal, async ({ attempt }) => {
      if (attempt !== this.status.shipping.attempt || this.ending) return;
      this.status.shipping.dispatched = true;
      this.note('dispatch_approved', 'ShippingWorkflow', `attempt ${attempt}`);
      await getExternalWorkflowHandle(shippingWorkflowId(this.status.orderId, attempt)).signal(dispatchApprovedSignal, {
        address: this.status.address,
      });
    });
    setHandler(dispatchFailedSignal, async ({ attempt, reason }) => {
      this.status.lastError = `shipping attempt ${attempt}: ${reason}`;
      await this.audit('dispatch_failed', { attempt, reason });
    });
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
    await this.audit('cancel_requested', { via, reason });
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
    this.note('address_updated', this.status.step, `${address.street}, ${address.city}`);
    await this.audit('address_updated', { via, address }, address);
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
    await this.audit('review_approved', { via, by: this.status.review.by });
    return { accepted: true, state: this.status.state };
  }

  // --- the story -------------------------------------------------------------
  async run(): Promise<OrderResult> {
    const stop = await this.runStepsWithinBudget();
    return CancellationScope.nonCancellable(() => this.conclude(stop));
  }

  private async steps(): Promise<void> {
    const { order, policy } = this.input;

    this.status.step = 'ReceiveOrder';
    const { faults } = this;
    await this.activity('ReceiveOrder', { order, faults });
    this.note('received', 'ReceiveOrder');

    this.status.step = 'ValidateOrder';
    await this.activity('ValidateOrder', { order: { ...order, address: this.status.address }, faults });
    await this.transition('validated', 'ValidateOrder');

    this.status.step = 'ManualReview';
    await this.transition('in_review', 'ManualReview');
    const approvedEarly = await condition(() => this.status.review.approved, policy.reviewMs);
    this.note(approvedEarly ? 'review_approved' : 'review_timer_elapsed', 'ManualReview');

    this.status.step = 'ChargePayment';
    const { paymentId, amount } = this.status.payment;
    await this.activity('ChargePayment', { orderId: order.orderId, paymentId, amount, faults });
    this.status.payment.status = 'charged';
    await this.transition('paid', 'ChargePayment');

    this.status.step = 'ShippingWorkflow';
    await this.transition('shipping', 'ShippingWorkflow');
    const shipment = await this.shipWithRetries();
    this.status.shipping.carrierRef = shipment.carrierRef;
    for (const [name, count] of Object.entries(shipment.attempts ?? {})) this.countAttempts(name as ActivityName, count);

    this.status.step = 'MarkShipped';
    await this.activity('MarkShipped', { orderId: order.orderId, carrierRef: shipment.carrierRef, faults });
  }

  private async shipWithRetries(): Promise<ShippingResult> {
    const { order, policy } = this.input;
    for (let attempt = 1; ; attempt++) {
      this.status.shipping = { ...this.status.shipping, attempt, dispatched: false, workflowId: shippingWorkflowId(order.orderId, attempt) };
      this.note('shipping_attempt', 'ShippingWorkflow', `attempt ${attempt}`);
      try {
        const child = await startChild<typeof ShippingWorkflow>(SHIPPING_WORKFLOW_TYPE, {
          workflowId: shippingWorkflowId(order.orderId, attempt),
          taskQueue: SHIPPING_TASK_QUEUE,
          args: [
            { orderId: order.orderId, attempt, items: order.items, address: this.status.address, policy, budgetEndsAt: this.budgetEndsAt(), faults: this.faults },
          ],
          cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          workflowExecutionTimeout: Math.max(1_000, this.deadlineAt - Date.now()) + policy.compensationMs,
        });
        return await child.result();
      } catch (err) {
        if (isCancellation(err)) throw err;
        this.status.shipping.dispatched = false;
        this.status.lastError = `shipping attempt ${attempt}: ${describeFailure(err)}`;
        await this.audit('shipping_attempt_failed', { attempt, error: describeFailure(err) });
        if (attempt >= policy.shipping.maxAttempts) {
          throw ApplicationFailure.nonRetryable(`shipping failed after ${attempt} attempts`, 'ShippingFailed');
        }
        await sleep(policy.shipping.backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  /**
   * Runs the steps until they finish, the order is cancelled, or the budget runs
   * out. Returns why the steps stopped early, or null when they all ran.
   */
  private async runStepsWithinBudget(): Promise<StepsOutcome> {
    const steps = new CancellationScope();
    const watchers = new CancellationScope();
    const stopped = watchers
      .run(() =>
        Promise.race([
          sleep(Math.max(0, this.deadlineAt - Date.now())).then(() => {
            if (!this.stop) this.stop = { kind: 'deadline' };
          }),
          condition(() => this.stop !== null),
        ]),
      )
      .then(() => 'stopped' as const);
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
      if (isCancellation(err)) return { kind: 'cancelled', reason: 'workflow cancelled in Temporal' };
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
      await this.transition('completed', null);
      return this.result('completed', null);
    }
    const state: OrderState = stop.kind === 'cancelled' ? 'cancelled' : 'failed';
    const reason = stop.kind === 'cancelled' ? stop.reason : stop.kind === 'deadline' ? 'deadline_exceeded' : stop.reason;
    this.status.reason = reason;
    await this.refundIfCharged(reason);
    this.status.step = null;
    await this.transition(state, null, { reason });
    return this.result(state, reason);
  }

  private async refundIfCharged(reason: string): Promise<void> {
    // A charge may have happened even if its activity never reported back
    // (cancelled or timed out mid-flight); RefundPayment is a no-op when there
    // is no charge, so ask whenever a charge was attempted.
    if (!this.status.attempts.ChargePayment && this.status.payment.status !== 'charged') return;
    this.status.step = 'Compensation';
    this.compensationEndsAt = Date.now() + this.input.policy.compensationMs;
    try {
      const { refunded } = await this.activity('RefundPayment', {
        orderId: this.status.orderId,
        paymentId: this.status.payment.paymentId,
        reason,
        faults: this.faults,
      });
      if (refunded) this.status.payment.status = 'refunded';
      this.note(refunded ? 'payment_refunded' : 'nothing_to_refund', 'Compensation');
    } catch (err) {
      this.status.lastError = `refund failed: ${describeFailure(err)}`;
      await this.audit('compensation_failed', { error: describeFailure(err) });
    } finally {
      this.compensationEndsAt = null;
    }
  }

  // --- bookkeeping -----------------------------------------------------------
  /** Calls an order activity under its policy (kind, timeouts, retries, hedging). */
  private activity<K extends keyof OrderActivities>(
    name: K,
    request: Parameters<OrderActivities[K]>[0],
  ): Promise<Awaited<ReturnType<OrderActivities[K]>>> {
    return callActivity<OrderActivities, typeof request, Awaited<ReturnType<OrderActivities[K]>>>(this, name, request);
  }

  private note(event: string, step: OrderStep | null, detail?: string): void {
    this.status.timeline.push({ event, step, at: new Date().toISOString(), ...(detail ? { detail } : {}) });
  }

  private async transition(state: OrderState, step: OrderStep | null, payload: Record<string, unknown> = {}): Promise<void> {
    // The database first, then the live status: the query never reports a
    // state the database does not have yet. The terminal transition carries the
    // final status, so a closed order reads the same from the database as a
    // running one does from the query.
    const entry = { event: state, step, at: new Date().toISOString() };
    const next: OrderStatus = { ...this.status, state, timeline: [...this.status.timeline, entry] };
    const snapshot = isTerminalState(state) ? { status: next } : {};
    await bookkeeping.RecordTransition({
      orderId: this.status.orderId,
      order: { ...this.input.order, address: this.status.address },
      state,
      step,
      dedupeKey: `state:${state}`,
      payload: { ...payload, ...snapshot, workflowId: orderWorkflowId(this.status.orderId) },
    });
    this.status.state = state;
    this.status.timeline.push(entry);
  }

  private async audit(type: string, payload: Record<string, unknown>, address?: Address): Promise<void> {
    const seq = ++this.eventSeq;
    await bookkeeping.RecordEvent({
      orderId: this.status.orderId,
      type,
      dedupeKey: `${type}:${seq}`,
      payload,
      ...(address ? { address } : {}),
    });
  }

  private result(state: OrderResult['state'], reason: string | null): OrderResult {
    return { orderId: this.status.orderId, state, reason, carrierRef: this.status.shipping.carrierRef };
  }
}

function failureReason(step: OrderStep | null, err: unknown): string {
  const type = rootFailureType(err);
  if (type === 'InvalidOrder') return `invalid_order: ${rootMessage(err)}`;
  if (type === 'ShippingFailed') return 'shipping_failed';
  if (step === 'ChargePayment') return 'payment_failed';
  return `${(step ?? 'order').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}_failed`;
}

function rootFailureType(err: unknown): string | undefined {
  let current: unknown = err;
  while (current && typeof current === 'object') {
    if (current instanceof ApplicationFailure) return current.type ?? undefined;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
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
