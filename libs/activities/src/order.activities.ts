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
import { PaymentVoidedError } from './sandbox';
import type { Carrier, PaymentGateway, Warehouse } from './sandbox';

export interface ActivityDeps {
  store: OrderStore;
  faults: FaultInjector;
  logger: Logger;
  gateway: PaymentGateway;
  carrier: Carrier;
  warehouse: Warehouse;
}

/** A stand-in for the external systems without a ledger of their own (order intake, notifications). */
const externalCall = async (): Promise<void> => undefined;

export function createOrderActivities(deps: ActivityDeps): OrderActivities {
  const { store, faults, gateway } = deps;
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
        // The intent first: a refund that runs while this charge is in flight finds it and voids it.
        const payment = await store.beginCharge(paymentId, orderId, amount);
        if (payment.orderId !== orderId) {
          throw ApplicationFailure.nonRetryable(`payment ${paymentId} belongs to another order`, NON_RETRYABLE_ERRORS.paymentMismatch);
        }
        if (payment.status === 'charged') return { charged: false }; // an idempotent replay: no second call
        if (payment.status !== 'pending') throw paymentVoided(paymentId, payment.status);
        try {
          // The payment id is the gateway's idempotency key: retried and hedged calls take the money once.
          await faults.call('ChargePayment', () => gateway.charge({ paymentId, orderId, amount }), request);
        } catch (err) {
          if (err instanceof PaymentVoidedError) throw paymentVoided(paymentId, 'voided');
          throw err;
        }
        const { completed, status } = await store.completeCharge(paymentId, orderId, amount);
        if (status === 'charged') return { charged: completed };
        // Voided while the gateway call was in flight: the order decided to refund, so this charge must not stand.
        await gateway.cancel({ paymentId, orderId, amount });
        await store.recordEvent({
          orderId,
          type: 'charge_reversed',
          dedupeKey: `payment:${paymentId}:reversed`,
          payload: { paymentId, amount },
        });
        throw paymentVoided(paymentId, status);
      });
    },

    async RefundPayment(request) {
      const { orderId, paymentId, reason } = request;
      const amount = request.amount ?? 0;
      return runActivity(deps, 'RefundPayment', orderId, async () => {
        // Void before asking the gateway: from here on, no charge of this payment can stand.
        const payment = await store.voidUnlessCharged(paymentId, orderId, amount);
        if (payment.orderId !== orderId) {
          throw ApplicationFailure.nonRetryable(`payment ${paymentId} belongs to another order`, NON_RETRYABLE_ERRORS.paymentMismatch);
        }
        // Always ask the gateway (the same key has one effect): a void or refund whose call failed is redone.
        const outcome = await faults.call(
          'RefundPayment',
          () => gateway.cancel({ paymentId, orderId, amount: Number(payment.amount) }),
          request,
        );
        if (payment.status === 'charged') await store.refund(paymentId, orderId, reason);
        if (outcome === 'voided' && payment.status !== 'refunded') {
          await store.recordEvent({
            orderId,
            type: 'payment_voided',
            dedupeKey: `payment:${paymentId}:voided`,
            payload: { paymentId, reason },
          });
        }
        return { refunded: outcome === 'refunded', outcome };
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

function paymentVoided(paymentId: string, status: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `payment ${paymentId} is ${status}: the order decided to refund`,
    NON_RETRYABLE_ERRORS.paymentVoided,
  );
}

/** Database-only bookkeeping, run as local activities by the order workflow. */
export function createBookkeepingActivities({ store }: { store: OrderStore }): BookkeepingActivities {
  return {
    async RecordTransition({ order, state, step, dedupeKey, payload, addressSeq, late }) {
      await store.recordTransition(order, state, dedupeKey, { step, ...payload }, { addressSeq, late });
    },
    async RecordTransitions(records) {
      // In order, each idempotent: a retry after a partial write skips the rows already there.
      for (const { order, state, step, dedupeKey, payload, addressSeq, late } of records) {
        await store.recordTransition(order, state, dedupeKey, { step, ...payload }, { addressSeq, late });
      }
    },
    async RecordEvent({ orderId, type, dedupeKey, payload, address, addressSeq, refundOwed }) {
      await store.recordEvent({ orderId, type, dedupeKey, payload }, { address, addressSeq, refundOwed });
    },
  };
}
