/**
 * In-memory stand-ins for the activities, programmable per test. They are the
 * workflow tests' only mocks: the workflows themselves run for real on a real
 * Temporal dev server.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Address, BookkeepingActivities, OrderActivities, OrderState, ShippingActivities } from '@order-fulfillment/contracts';
import { NON_RETRYABLE_ERRORS, orderProblems } from '@order-fulfillment/contracts';

/** A promise the test opens when it wants an activity to go on. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  reached = false;
  open(): void {
    this.release();
  }
}

export interface Call {
  name: string;
  args: unknown;
  attempt: number;
}

export class FakeWorld {
  calls: Call[] = [];
  transitions: { orderId: string; state: OrderState; payload?: Record<string, unknown> }[] = [];
  events: { orderId: string; type: string; payload?: Record<string, unknown> }[] = [];
  /** Payments as the real store keeps them: pending before the gateway call, voided by a refund that came first. */
  charges = new Map<string, { orderId: string; status: 'pending' | 'charged' | 'refunded' | 'voided' }>();
  dispatchedTo: (Address | null)[] = [];

  /** Hooks a test can set. Throw from one to fail that call. */
  onCharge?: (attempt: number) => Promise<void> | void;
  onPrepare?: (shipmentId: string) => Promise<void> | void;
  onDispatch?: (attempt: number, shipmentId: string) => Promise<void> | void;
  onRefund?: () => Promise<void> | void;
  onMarkShipped?: (attempt: number) => Promise<void> | void;
  onRecordEvent?: (type: string) => Promise<void> | void;

  count(name: string): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  private record(name: string, args: unknown): number {
    const attempt = Context.current().info.attempt;
    this.calls.push({ name, args, attempt });
    return attempt;
  }

  order(): OrderActivities {
    return {
      ReceiveOrder: async (request) => ({ attempt: this.record('ReceiveOrder', request) }),
      ValidateOrder: async (request) => {
        const attempt = this.record('ValidateOrder', request);
        const problems = orderProblems(request.order);
        if (problems.length) throw ApplicationFailure.nonRetryable(problems.join('; '), NON_RETRYABLE_ERRORS.invalidOrder);
        return { attempt };
      },
      ChargePayment: async (request) => {
        const attempt = this.record('ChargePayment', request);
        const payment = this.charges.get(request.paymentId) ?? { orderId: request.orderId, status: 'pending' as const };
        this.charges.set(request.paymentId, payment);
        if (payment.status === 'charged') return { attempt, charged: false };
        if (payment.status !== 'pending')
          throw ApplicationFailure.nonRetryable(`payment ${payment.status}`, NON_RETRYABLE_ERRORS.paymentVoided);
        await this.onCharge?.(attempt); // the gateway call: it may take its time, fail, or land late
        if (payment.status !== 'pending')
          throw ApplicationFailure.nonRetryable('voided while charging', NON_RETRYABLE_ERRORS.paymentVoided);
        payment.status = 'charged';
        return { attempt, charged: true };
      },
      RefundPayment: async (request) => {
        const attempt = this.record('RefundPayment', request);
        const payment = this.charges.get(request.paymentId) ?? { orderId: request.orderId, status: 'voided' as const };
        this.charges.set(request.paymentId, payment);
        if (payment.status === 'pending') payment.status = 'voided';
        await this.onRefund?.();
        if (payment.status === 'charged') payment.status = 'refunded';
        const outcome = payment.status === 'refunded' ? 'refunded' : 'voided';
        return { attempt, refunded: outcome === 'refunded', outcome };
      },
      MarkShipped: async (request) => {
        const attempt = this.record('MarkShipped', request);
        await this.onMarkShipped?.(attempt);
        return { attempt };
      },
    };
  }

  shipping(): ShippingActivities {
    return {
      PreparePackage: async (request) => {
        const attempt = this.record('PreparePackage', request);
        await this.onPrepare?.(request.shipmentId);
        return { attempt, packageId: `pkg-${request.shipmentId}` };
      },
      DispatchCarrier: async (request) => {
        const attempt = this.record('DispatchCarrier', request);
        await this.onDispatch?.(request.attempt, request.shipmentId);
        this.dispatchedTo.push(request.address);
        return { attempt, carrierRef: `trk-${request.shipmentId}` };
      },
    };
  }

  bookkeeping(): BookkeepingActivities {
    return {
      RecordTransition: async ({ orderId, state, payload }) => {
        this.transitions.push({ orderId, state, payload });
      },
      RecordTransitions: async (records) => {
        for (const { orderId, state, payload } of records) this.transitions.push({ orderId, state, payload });
      },
      RecordEvent: async ({ orderId, type, payload }) => {
        await this.onRecordEvent?.(type);
        this.events.push({ orderId, type, payload });
      },
    };
  }

  /** The shipment ids the carrier was asked to dispatch (its idempotency keys), in order, each once. */
  shipmentIds(): string[] {
    return [...new Set(this.calls.filter((c) => c.name === 'DispatchCarrier').map((c) => (c.args as { shipmentId: string }).shipmentId))];
  }

  /** Charges that stand: money taken and not given back. */
  standingCharges(): string[] {
    return [...this.charges.entries()].filter(([, p]) => p.status === 'charged').map(([id]) => id);
  }

  states(orderId: string): OrderState[] {
    return this.transitions.filter((t) => t.orderId === orderId).map((t) => t.state);
  }
}

/** Waits on a gate, giving up if the activity is cancelled (needs heartbeats to hear it). */
export async function holdUntil(gate: Gate): Promise<void> {
  gate.reached = true;
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), 100);
  try {
    await Promise.race([gate.opened, ctx.cancelled]);
  } finally {
    clearInterval(beat);
  }
}
