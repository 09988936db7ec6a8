/**
 * Who called the carrier, and when: every DispatchCarrier attempt that started
 * in the orders' first shipping workflows, read from their histories. The
 * identity is the SDK worker's (`<pid>@<host>`), so a test or a benchmark can
 * tell which shipping worker ran each call.
 */
import type { Client } from '@temporalio/client';
import { shippingWorkflowId } from '@order-fulfillment/contracts';

export interface CarrierCallStart {
  orderId: string;
  /** The worker that ran the attempt. */
  identity: string;
  /** When the attempt started (epoch ms, the server's clock). */
  at: number;
}

export async function carrierCallStarts(temporal: Client, orderIds: readonly string[]): Promise<CarrierCallStart[]> {
  const starts: CarrierCallStart[] = [];
  for (const orderId of orderIds) {
    // Shipping attempt 1: the callers' carriers never decline.
    const history = await temporal.workflow.getHandle(shippingWorkflowId(orderId, 1)).fetchHistory();
    const dispatch = new Set<string>();
    for (const event of history.events ?? []) {
      if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'DispatchCarrier') dispatch.add(String(event.eventId));
      const started = event.activityTaskStartedEventAttributes;
      if (started && dispatch.has(String(started.scheduledEventId))) {
        starts.push({ orderId, identity: started.identity ?? '', at: Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6) });
      }
    }
  }
  return starts;
}
