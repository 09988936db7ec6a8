/**
 * What the API promised when it accepted a message, checked against how the
 * order ended (SPEC §1, "Signals"):
 *   accepted-cancel-ends-cancelled  a cancel the API accepted (200) ends the order `cancelled`;
 *   dispatch-uses-latest-address    the carrier shipped to the last address the API accepted
 *                                   (or the order's own, when none was), and `orders.address`
 *                                   holds that address too.
 * The driver sends one order's messages one at a time, so "last accepted" is well defined.
 */
import type { Address } from '@order-fulfillment/contracts';
import type { DrivenOrder } from './drive';
import type { Queryable } from './load';

export const MESSAGE_CHECKS = ['accepted-cancel-ends-cancelled', 'dispatch-uses-latest-address'] as const;
export type MessageCheckName = (typeof MESSAGE_CHECKS)[number];

export interface MessageCheck {
  name: MessageCheckName;
  orders: number;
  violations: Array<{ orderId: string; why: string[] }>;
}

export interface OrderOutcome {
  orderId: string;
  state: string | null;
  /** orders.address. */
  address: Address | null;
  /** Where the goods went: the carrier ledger's addresses (or the carrier_dispatched events' without it). */
  dispatchedTo: Array<Address | null>;
}

/** The fields an address is compared on (the API may drop empty optional ones). */
export function sameAddress(a: Address | null | undefined, b: Address | null | undefined): boolean {
  const norm = (x: Address | null | undefined) => (x ? [x.street, x.city, x.postalCode ?? null, x.country ?? null] : null);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

const show = (a: Address | null | undefined): string => (a ? `${a.street}, ${a.city}` : 'none');

export function judgeMessages(driven: readonly DrivenOrder[], outcomes: ReadonlyMap<string, OrderOutcome>): MessageCheck[] {
  const cancel: MessageCheck = { name: 'accepted-cancel-ends-cancelled', orders: 0, violations: [] };
  const address: MessageCheck = { name: 'dispatch-uses-latest-address', orders: 0, violations: [] };
  for (const order of driven) {
    if (!order.accepted) continue;
    const orderId = order.plan.orderId;
    const outcome = outcomes.get(orderId);
    const acceptedCancel = order.messages.find((m) => m.kind === 'cancel' && m.accepted);
    if (acceptedCancel) {
      cancel.orders++;
      if (outcome?.state !== 'cancelled') {
        cancel.violations.push({ orderId, why: [`cancel accepted (sent in ${acceptedCancel.landed}) but the order ended ${outcome?.state ?? 'with no row'}`] });
      }
    }
    // An address update with no clear answer (timeout, 5xx) may or may not have applied: not judged.
    if (order.messages.some((m) => m.kind === 'address' && !m.accepted && m.httpStatus !== 409)) continue;
    const acceptedAddresses = order.messages.filter((m) => m.kind === 'address' && m.accepted);
    const latest = acceptedAddresses.length ? (acceptedAddresses[acceptedAddresses.length - 1]?.address ?? null) : order.plan.address;
    if (!outcome) continue;
    address.orders++;
    const why: string[] = [];
    for (const to of outcome.dispatchedTo) if (!sameAddress(to, latest)) why.push(`shipped to ${show(to)}, the latest accepted address is ${show(latest)}`);
    if (!sameAddress(outcome.address, latest)) why.push(`orders.address is ${show(outcome.address)}, the latest accepted address is ${show(latest)}`);
    if (why.length) address.violations.push({ orderId, why });
  }
  return [cancel, address];
}

/** Reads each order's final state, stored address and where its goods went. */
export async function loadOutcomes(db: Queryable, orderIds: readonly string[], carrierLedger: boolean): Promise<Map<string, OrderOutcome>> {
  const outcomes = new Map<string, OrderOutcome>();
  const { rows } = await db.query<{ id: string; state: string; address: Address | null }>(`SELECT id, state, address FROM orders WHERE id = ANY($1)`, [[...orderIds]]);
  for (const r of rows) outcomes.set(r.id, { orderId: r.id, state: r.state, address: r.address, dispatchedTo: [] });
  const { rows: shipped } = carrierLedger
    ? await db.query<{ order_id: string; address: Address | null }>(`SELECT order_id, address FROM sandbox.carrier_shipments WHERE order_id = ANY($1)`, [[...orderIds]])
    : await db.query<{ order_id: string; address: Address | null }>(
        `SELECT order_id, payload->'address' AS address FROM events WHERE order_id = ANY($1) AND type = 'carrier_dispatched'`,
        [[...orderIds]],
      );
  for (const s of shipped) outcomes.get(s.order_id)?.dispatchedTo.push(s.address);
  return outcomes;
}

export function formatMessageChecks(checks: readonly MessageCheck[], max = 50): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`check: ${c.name} orders: ${c.orders} violations: ${c.violations.length}`);
    for (const v of c.violations.slice(0, max)) lines.push(`  ${v.orderId}: ${v.why.join('; ')}`);
    if (c.violations.length > max) lines.push(`  ... and ${c.violations.length - max} more (see the JSON report)`);
  }
  return lines.join('\n');
}
