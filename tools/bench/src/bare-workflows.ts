/**
 * The bare baseline: the order's shape on Temporal with nothing else.
 * ReceiveOrder -> ValidateOrder -> the review timer -> ChargePayment -> a
 * child on its own task queue (PreparePackage, then the two-signal dispatch
 * handshake: the child asks the parent, the parent approves, then
 * DispatchCarrier) -> MarkShipped. The activities do nothing; no database,
 * no API. `local` runs the six activities as local activities.
 */
import {
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';

export const BARE_ORDERS_QUEUE = 'bare-orders-tq';
export const BARE_SHIPPING_QUEUE = 'bare-shipping-tq';

export interface BareOrderInput {
  orderId: string;
  reviewMs: number;
  local: boolean;
}

export interface BareActivities {
  ReceiveOrder(orderId: string): Promise<void>;
  ValidateOrder(orderId: string): Promise<void>;
  ChargePayment(orderId: string): Promise<void>;
  PreparePackage(orderId: string): Promise<void>;
  DispatchCarrier(orderId: string): Promise<void>;
  MarkShipped(orderId: string): Promise<void>;
}

const readyToDispatch = defineSignal<[{ attempt: number }]>('ReadyToDispatch');
const dispatchApproved = defineSignal<[{ address: null }]>('DispatchApproved');

const options = { startToCloseTimeout: '10s', retry: { maximumAttempts: 3 } } as const;
const remote = proxyActivities<BareActivities>(options);
const local = proxyLocalActivities<BareActivities>(options);

export async function BareOrderWorkflow(input: BareOrderInput): Promise<string> {
  const act = input.local ? local : remote;
  const shipmentId = `${input.orderId}-shipment-1`;
  setHandler(readyToDispatch, async () => {
    await getExternalWorkflowHandle(shipmentId).signal(dispatchApproved, { address: null });
  });
  await act.ReceiveOrder(input.orderId);
  await act.ValidateOrder(input.orderId);
  let approved = false;
  await condition(() => approved, input.reviewMs);
  approved = true;
  await act.ChargePayment(input.orderId);
  const child = await startChild(BareShippingWorkflow, { workflowId: shipmentId, taskQueue: BARE_SHIPPING_QUEUE, args: [input] });
  await child.result();
  await act.MarkShipped(input.orderId);
  return 'completed';
}

export async function BareShippingWorkflow(input: BareOrderInput): Promise<void> {
  const act = input.local ? local : remote;
  let approval = false;
  setHandler(dispatchApproved, () => {
    approval = true;
  });
  const parentId = workflowInfo().parent?.workflowId;
  if (!parentId) throw new Error('BareShippingWorkflow runs only as a child');
  await act.PreparePackage(input.orderId);
  await getExternalWorkflowHandle(parentId).signal(readyToDispatch, { attempt: 1 });
  await condition(() => approval);
  await act.DispatchCarrier(input.orderId);
}
