/**
 * Shipping activities (shipping-worker, `shipping-tq`). Package and carrier
 * references derive from the shipment id (`shipping-<orderId>-<attempt>`), so a
 * retried or hedged call books the same package and the same carrier slot.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { ShippingActivities } from '@order-fulfillment/contracts';
import { NON_RETRYABLE_ERRORS } from '@order-fulfillment/contracts';
import type { ActivityDeps } from './order.activities';
import { runActivity } from './activity-run';

export function createShippingActivities(deps: ActivityDeps): ShippingActivities {
  const { store, faults, carrier, warehouse } = deps;
  return {
    async PreparePackage(request) {
      const { orderId, shipmentId, items } = request;
      return runActivity(deps, 'PreparePackage', orderId, async () => {
        const { packageId } = await faults.call('PreparePackage', () => warehouse.pack({ shipmentId, orderId }), request);
        await store.recordEvent({ orderId, type: 'package_prepared', dedupeKey: `package:${shipmentId}`, payload: { shipmentId, packageId, items } });
        return { packageId };
      });
    },

    async DispatchCarrier(request) {
      const { orderId, shipmentId, attempt, packageId, address } = request;
      return runActivity(deps, 'DispatchCarrier', orderId, async () => {
        // Sandbox carrier: declines the first N shipping attempts when the plan asks (a definitive answer).
        if (attempt <= (request.faults?.declineDispatchAttempts ?? 0)) {
          throw ApplicationFailure.nonRetryable(`carrier declined shipment ${shipmentId} (sandbox)`, NON_RETRYABLE_ERRORS.carrierDeclined);
        }
        // The shipment id is the carrier's idempotency key: a retried or hedged call ships once.
        const { carrierRef } = await faults.call('DispatchCarrier', () => carrier.dispatch({ shipmentId, orderId, address }), request);
        // The address dispatched to is part of the record: it proves the latest one was used.
        await store.recordEvent({
          orderId,
          type: 'carrier_dispatched',
          dedupeKey: `dispatch:${shipmentId}`,
          payload: { shipmentId, packageId, carrierRef, address, delivery: address ? 'address' : 'pickup' },
        });
        return { carrierRef };
      });
    },
  };
}
