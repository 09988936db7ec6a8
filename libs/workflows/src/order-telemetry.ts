/**
 * What an order tells the outside while it runs, without touching its story
 * (ADR 042, 043):
 *
 * - metrics through the SDK's workflow metric meter, which emits nothing
 *   while a history is replayed, so a replayed order is not counted twice;
 * - search attributes (OrderState, OrderReason, PaymentStatus,
 *   ShippingAttempt), upserted only when a value changed, in the workflow task
 *   that is already running (an upsert is one more command in it, never a new
 *   task). Orders whose history predates the patch keep their commands: the
 *   upserts are behind `PATCHES.searchAttributes`. Since `PATCHES.orderOneMarker`
 *   (ADR 052) an order started with its first values (the API starts every
 *   order so, `orderStartOptions`) upserts nothing at its start.
 */
import { metricMeter, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { APP_METRICS, ORDER_SEARCH_ATTRIBUTES, reasonCode } from '@order-fulfillment/contracts';
import type { OrderStatus, OrderStep } from '@order-fulfillment/contracts';
import { PATCHES } from './patches';
import type { PatchSet } from './patches';

const finished = metricMeter.createCounter(APP_METRICS.ordersFinished, 'orders', 'Orders that ended, by final state and reason');
const duration = metricMeter.createHistogram(APP_METRICS.orderDuration, 'int', 'ms', 'From the order\'s start to its end');
const stepDuration = metricMeter.createHistogram(APP_METRICS.stepDuration, 'int', 'ms', 'How long each step of an order took');
const compensations = metricMeter.createCounter(APP_METRICS.compensations, 'orders', 'Refunds or voids for orders that ended unshipped');
const late = metricMeter.createCounter(APP_METRICS.lateOrders, 'orders', 'Orders completed after their deadline');
const refundsOwed = metricMeter.createCounter(APP_METRICS.refundsOwed, 'orders', 'Orders flagged as owing a refund');

interface Indexed {
  state: string;
  reason: string | null;
  payment: string;
  attempt: number;
}

export class OrderTelemetry {
  /** False for an order whose history was recorded before search attributes. */
  private readonly indexing: boolean;
  private indexed: Indexed | null = null;
  /** When the step under way started (workflow clock). */
  private mark: number;

  constructor(
    private readonly startedAt: number,
    patches: PatchSet,
  ) {
    this.mark = startedAt;
    this.indexing = patches.has(PATCHES.searchAttributes);
    if (this.indexing && patches.has(PATCHES.orderOneMarker)) this.indexed = startedWith();
  }

  /** Upserts the attributes whose value changed since the last upsert. */
  sync(status: OrderStatus): void {
    if (!this.indexing) return;
    const next: Indexed = {
      state: status.state,
      reason: status.reason === null ? null : reasonCode(status.state, status.reason),
      payment: status.payment.status,
      attempt: status.shipping.attempt,
    };
    const last = this.indexed;
    const keys = ORDER_SEARCH_ATTRIBUTES;
    const changes: SearchAttributeUpdatePair[] = [];
    if (last?.state !== next.state) changes.push({ key: keys.OrderState, value: next.state });
    if (last?.reason !== next.reason && next.reason !== null) changes.push({ key: keys.OrderReason, value: next.reason });
    if (last?.payment !== next.payment) changes.push({ key: keys.PaymentStatus, value: next.payment });
    if (last?.attempt !== next.attempt) changes.push({ key: keys.ShippingAttempt, value: next.attempt });
    this.indexed = next;
    if (changes.length) upsertSearchAttributes(changes);
  }

  /** Marks the start of a step that does not follow another (compensation). */
  stepStarts(): void {
    this.mark = Date.now();
  }

  /** Records how long `step` took: since the previous step ended (or the order started). */
  stepDone(step: OrderStep): void {
    const now = Date.now();
    stepDuration.record(Math.max(0, now - this.mark), { step });
    this.mark = now;
  }

  compensated(outcome: string): void {
    compensations.add(1, { outcome });
  }

  refundOwed(): void {
    refundsOwed.add(1);
  }

  ended(status: OrderStatus): void {
    const state = status.state;
    finished.add(1, { state, reason: reasonCode(state, status.reason) });
    duration.record(Math.max(0, Date.now() - this.startedAt), { state });
    if (status.late) late.add(1);
  }
}

/**
 * The values the order was started with, as if they were the last upserted;
 * null when it was started without them (a client other than the API).
 */
function startedWith(): Indexed | null {
  const attributes = workflowInfo().typedSearchAttributes;
  const keys = ORDER_SEARCH_ATTRIBUTES;
  const state = attributes.get(keys.OrderState);
  if (state === undefined) return null;
  return {
    state,
    reason: attributes.get(keys.OrderReason) ?? null,
    // A value the start left out is upserted with the first change.
    payment: attributes.get(keys.PaymentStatus) ?? '',
    attempt: attributes.get(keys.ShippingAttempt) ?? -1,
  };
}
