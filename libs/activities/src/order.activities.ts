/**
 * Order activities (order-worker, `orders-tq`). Each is thin: the external call
 * goes through the fault injector, then the outcome is recorded. Every one is
 * idempotent, so retries and hedged calls are safe.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { BookkeepingActivities, OrderActivities } from '@order-fulfillment/contracts';
import { NON_RETRYABLE_ERRORS, orderProblems } from '@order-fulfillment/contracts';
import type { OrderStore } from '@order-fulfillment/db';
import type { Logger } from '@order-fulfillment/platform';
import type { FaultInjector } from './fault-injector';
import { runActivity } from './activity-run';

export interface ActivityDeps {
  store: OrderStore;
  faults: FaultInjector;
  logger: Logger;
}

/** A stand-in for the external systems (order intake, payment gateway, notifications). */
const externalCall = async (): Promise<void> => undefined;

export function createOrderActivities(deps: ActivityDeps): OrderActivities {
  const { store, faults } = deps;
  return {
    async ReceiveOrder(request) {
      const { order } = request;
      return runActivity(deps, 'ReceiveOrder', order.orderId, async () => {
        await faults.call('ReceiveOrder', externalCall, request);
        await store.receiveOrder(order);
        return {};
      });
    },

    async ValidateOrder(request) {
      const { order } = request;
      return runActivity(deps, 'ValidateOrder', order.orderId, async () => {
        await faults.call('ValidateOrder', externalCall, request);
        const problems = orderProblems(order);
        if (problems.length) {
          throw ApplicationFailure.nonRetryable(problems.join('; '), NON_RETRYABLE_ERRORS.invalidOrder, { problems });
        }
        return {};
      });
    },

    async ChargePayment(request) {
      const { orderId, paymentId, amount } = request;
      return runActivity(deps, 'ChargePayment', orderId, async () => {
        // An idempotent replay needs no second call to the gateway.
        const existing = await store.findPayment(paymentId);
        if (existing) return replayCharge(existing.orderId, existing.status, orderId, paymentId);
        await faults.call('ChargePayment', externalCall, request);
        const outcome = await store.charge(paymentId, orderId, amount);
        if (outcome.kind === 'conflict') return replayCharge(outcome.payment.orderId, outcome.payment.status, orderId, paymentId);
        return { charged: outcome.kind === 'charged' };
      });
    },

    async RefundPayment(request) {
      const { orderId, paymentId, reason } = request;
      return runActivity(deps, 'RefundPayment', orderId, async () => {
        const existing = await store.findPayment(paymentId);
        if (!existing || existing.orderId !== orderId || existing.status !== 'charged') return { refunded: false };
        await faults.call('RefundPayment', externalCall, request);
        return { refunded: await store.refund(paymentId, orderId, reason) };
      });
    },

    async MarkShipped(request) {
      const { orderId, carrierRef } = request;
      return runActivity(deps, 'MarkShipped', orderId, async () => {
        await faults.call('MarkShipped', externalCall, request);
        await store.recordEvent({ orderId, type: 'order_shipped', dedupeKey: 'order_shipped', payload: { carrierRef } });
        return {};
      });
    },
  };
}

function replayCharge(ownerOrderId: string, status: string, orderId: string, paymentId: string): { charged: boolean } {
  if (ownerOrderId !== orderId) {
    throw ApplicationFailure.nonRetryable(`payment ${paymentId} belongs to another order`, NON_RETRYABLE_ERRORS.paymentMismatch);
  }
  if (status !== 'charged') {
    throw ApplicationFailure.nonRetryable(`payment ${paymentId} is already ${status}`, NON_RETRYABLE_ERRORS.paymentMismatch);
  }
  return { charged: false };
}

/** Database-only bookkeeping, run as local activities by the order workflow. */
export function createBookkeepingActivities({ store }: { store: OrderStore }): BookkeepingActivities {
  return {
    async RecordTransition({ order, state, step, dedupeKey, payload }) {
      await store.recordTransition(order, state, dedupeKey, { step, ...payload });
    },
    async RecordEvent({ orderId, type, dedupeKey, payload, address }) {
      await store.recordEvent({ orderId, type, dedupeKey, payload }, address);
    },
  };
}
