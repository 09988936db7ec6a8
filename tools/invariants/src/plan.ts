/**
 * What each order of a run does, drawn from one seed: its fault plan (the
 * exercise's 1/3 errors and 1/3 hangs at a seed of its own, sometimes a carrier
 * that declines shipping attempts) and the messages sent to it (cancel, address
 * update, approval), each aimed at a window of the order's life.
 */
import type { Address, FaultPlan, OrderItem } from '@order-fulfillment/contracts';
import type { Random } from './random';

/**
 * The windows a message is aimed at:
 *  - review: in ManualReview (the durable timer);
 *  - charge: while ChargePayment is in flight (right after the review ends);
 *  - ready_to_dispatch: the shipping step before the carrier is approved
 *    (between the child's start and DispatchApproved; ReadyToDispatch is sent
 *    by the child once its package is prepared);
 *  - after_dispatch: the carrier has been approved (cancel and address must be refused);
 *  - near_deadline: within a moment of the order's 15 s deadline, whatever the step.
 */
export const WINDOWS = ['review', 'charge', 'ready_to_dispatch', 'after_dispatch', 'near_deadline'] as const;
export type Window = (typeof WINDOWS)[number];

export const MESSAGE_KINDS = ['cancel', 'address', 'approve'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface PlannedMessage {
  kind: MessageKind;
  window: Window;
  /**
   * The random part of the timing: after the window is seen, wait this long
   * before sending (near_deadline: send this long before the deadline).
   */
  delayMs: number;
  /** For address updates. */
  address?: Address;
}

export interface OrderPlan {
  orderId: string;
  paymentId: string;
  items: OrderItem[];
  address: Address | null;
  faults: FaultPlan;
  /** In the order they are sent (the order's life runs through the windows in this order). */
  messages: PlannedMessage[];
}

/** How long after a window is seen a message may wait, at most (ms). */
const MAX_DELAY_MS: Record<Window, number> = {
  review: 1_500,
  charge: 1_000,
  ready_to_dispatch: 400,
  after_dispatch: 300,
  near_deadline: 1_500,
};

const WINDOW_WEIGHTS: Array<[Window, number]> = [
  ['review', 3],
  ['charge', 3],
  ['ready_to_dispatch', 3],
  ['after_dispatch', 1],
  ['near_deadline', 2],
];
const KIND_WEIGHTS: Array<[MessageKind, number]> = [
  ['cancel', 3],
  ['address', 4],
  ['approve', 2],
];

function weighted<T>(random: Random, choices: Array<[T, number]>): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let roll = random.next() * total;
  for (const [value, w] of choices) {
    roll -= w;
    if (roll < 0) return value;
  }
  return (choices[choices.length - 1] as [T, number])[0];
}

const STREETS = ['Main St', 'High St', 'Station Rd', 'Mill Lane', 'Church St', 'Park Ave'];
const CITIES = ['Springfield', 'Riverton', 'Lakeside', 'Hillview', 'Fairfield'];

export function randomAddress(random: Random): Address {
  return { street: `${random.int(1, 999)} ${random.pick(STREETS)}`, city: random.pick(CITIES), postalCode: String(random.int(10000, 99999)) };
}

/** Plans `count` orders; the same seed gives the same plans. */
export function planOrders(random: Random, count: number, idPrefix: string): OrderPlan[] {
  return Array.from({ length: count }, (_, i) => planOrder(random, `${idPrefix}-${i}`));
}

export function planOrder(random: Random, orderId: string): OrderPlan {
  const faults: FaultPlan = { preset: 'exercise', seed: random.int(0, 2 ** 31 - 1) };
  const decline = random.next();
  if (decline < 0.03) faults.declineDispatchAttempts = 3;
  else if (decline < 0.09) faults.declineDispatchAttempts = 2;
  else if (decline < 0.24) faults.declineDispatchAttempts = 1;

  const messages: PlannedMessage[] = [];
  const howMany = weighted(random, [
    [0, 2],
    [1, 4],
    [2, 3],
    [3, 1],
  ]);
  const windows = new Set<Window>();
  for (let n = 0; n < howMany; n++) windows.add(weighted(random, WINDOW_WEIGHTS));
  for (const window of WINDOWS) {
    if (!windows.has(window)) continue;
    const kind = weighted(random, KIND_WEIGHTS);
    const message: PlannedMessage = { kind, window, delayMs: random.int(0, MAX_DELAY_MS[window]) };
    if (kind === 'address') message.address = randomAddress(random);
    messages.push(message);
  }
  const items: OrderItem[] = random.chance(0.5) ? [{ sku: 'ABC', qty: 1 }] : [{ sku: `SKU-${random.int(1, 50)}`, qty: random.int(1, 3), unitPrice: random.int(100, 5000) / 100 }];
  return {
    orderId,
    paymentId: `pmt-${orderId}`,
    items,
    address: random.chance(0.8) ? randomAddress(random) : null,
    faults,
    messages,
  };
}
