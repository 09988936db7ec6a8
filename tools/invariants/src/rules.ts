/**
 * SPEC §1's money-and-goods invariants, as pure functions of the evidence:
 *
 *   single-charge            at most one effective charge per payment id / order;
 *                            no charge stands once the books say voided/refunded
 *   completed-paid-shipped   completed => charged, not refunded, dispatched exactly once
 *   not-completed-refunded   cancelled/failed => never dispatched, every charge refunded,
 *                            no refund left owed
 *   terminal-and-consistent  every accepted order terminal, its workflow closed, the
 *                            database's state = the workflow's result, one `transition`
 *                            event per state
 *
 * The sandbox ledgers (what the gateway and the carrier did) are preferred
 * whenever they exist; our own bookkeeping is always checked too.
 */
import { isTerminalState, orderWorkflowId } from '@order-fulfillment/contracts';
import type { EvidenceSources, OrderEvidence } from './evidence';

export const INVARIANTS = ['single-charge', 'completed-paid-shipped', 'not-completed-refunded', 'terminal-and-consistent'] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  orderId: string;
  /** Why, one short reason per broken rule. */
  why: string[];
}

export interface InvariantResult {
  name: InvariantName;
  /** Orders the invariant applies to. */
  orders: number;
  violations: Violation[];
}

export interface InvariantReport {
  orders: number;
  sources: EvidenceSources;
  byState: Record<string, number>;
  invariants: InvariantResult[];
  /** Orders charged more than once (gateway, payments rows or payment_charged events). */
  doubleCharged: string[];
  /** Orders whose goods left (carrier shipment, dispatch event or a completed shipping child) with no charge standing. */
  shippedUnpaid: string[];
  /** Orders flagged late (orders.late), when the column exists. */
  late: string[];
  /** What was not checked, and why. */
  notes: string[];
}

/** The full path of a completed order, each state one `transition` event. */
const COMPLETED_PATH = ['received', 'validated', 'in_review', 'paid', 'shipping', 'completed'];

/** Facts derived once per order, shared by the rules. */
interface Facts {
  e: OrderEvidence;
  state: string | null;
  charges: Array<{ paymentId: string | null; key: string }>;
  refundedPayments: Set<string>;
  /** Gateway charges with no refund for their payment id. */
  standing: Array<{ paymentId: string | null; key: string }>;
  dispatchEvents: number;
  completedChildren: string[];
}

function facts(e: OrderEvidence): Facts {
  const charges = (e.gateway ?? []).filter((op) => op.operation === 'charge').map((op) => ({ paymentId: op.paymentId ?? op.idempotencyKey, key: op.idempotencyKey }));
  const refundedPayments = new Set(
    (e.gateway ?? [])
      .filter((op) => op.operation === 'refund')
      .map((op) => op.paymentId ?? op.idempotencyKey.replace(/^refund:/, '')),
  );
  return {
    e,
    state: e.order?.state ?? null,
    charges,
    refundedPayments,
    standing: charges.filter((c) => !c.paymentId || !refundedPayments.has(c.paymentId)),
    dispatchEvents: e.events.filter((ev) => ev.type === 'carrier_dispatched').length,
    completedChildren: (e.workflow?.children ?? []).filter((c) => c.status === 'COMPLETED').map((c) => c.workflowId),
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function singleCharge(f: Facts, sources: EvidenceSources): string[] {
  const why: string[] = [];
  const { e } = f;
  if (sources.gatewayLedger) {
    if (f.charges.length > 1) why.push(`gateway charged ${f.charges.length} times (${f.charges.map((c) => c.key).join(', ')})`);
    for (const charge of f.standing) {
      const row = e.payments.find((p) => p.paymentId === charge.paymentId);
      if (!row) why.push(`gateway charge ${charge.key} stands with no payments row`);
      else if (row.status !== 'charged') why.push(`gateway charge ${charge.key} stands (not refunded) but the payment is ${row.status}`);
    }
  }
  if (e.payments.length > 1) why.push(`${e.payments.length} payment rows (${e.payments.map((p) => `${p.paymentId}:${p.status}`).join(', ')})`);
  const chargedEvents = new Map<string, number>();
  for (const ev of e.events) if (ev.type === 'payment_charged') chargedEvents.set(ev.paymentId ?? '?', (chargedEvents.get(ev.paymentId ?? '?') ?? 0) + 1);
  for (const [paymentId, n] of chargedEvents) if (n > 1) why.push(`payment_charged recorded ${n} times for ${paymentId}`);
  return why;
}

function completedPaidShipped(f: Facts, sources: EvidenceSources): string[] {
  const why: string[] = [];
  const { e } = f;
  if (sources.gatewayLedger) {
    if (f.charges.length === 0) why.push('completed but the gateway never charged');
    else if (f.standing.length === 0) why.push('completed but the gateway charge was refunded');
  }
  const charged = e.payments.filter((p) => p.status === 'charged');
  if (e.payments.length === 0) why.push('completed with no payments row');
  else if (charged.length !== 1) why.push(`completed but the payment is ${e.payments.map((p) => p.status).join(', ')}`);
  if (sources.carrierLedger && e.shipments && e.shipments.length !== 1) {
    why.push(`completed with ${plural(e.shipments.length, 'carrier shipment')}${e.shipments.length ? ` (${e.shipments.map((s) => s.idempotencyKey).join(', ')})` : ''}`);
  }
  if (f.dispatchEvents !== 1) why.push(`completed with ${plural(f.dispatchEvents, 'carrier_dispatched event')}`);
  if (!e.events.some((ev) => ev.type === 'order_shipped')) why.push('completed with no order_shipped event');
  if (sources.temporal && e.workflow && e.workflow.status !== 'NOT_FOUND' && f.completedChildren.length !== 1) {
    why.push(`completed with ${plural(f.completedChildren.length, 'completed shipping child', 'completed shipping children')}`);
  }
  return why;
}

function notCompletedRefunded(f: Facts, sources: EvidenceSources): string[] {
  const why: string[] = [];
  const { e } = f;
  const state = f.state as string;
  if (sources.carrierLedger && e.shipments && e.shipments.length > 0) {
    why.push(`${state} but shipped: ${plural(e.shipments.length, 'carrier shipment')} (${e.shipments.map((s) => s.idempotencyKey).join(', ')})`);
  }
  if (f.dispatchEvents > 0) why.push(`${state} but ${plural(f.dispatchEvents, 'carrier_dispatched event')}`);
  if (sources.temporal && f.completedChildren.length > 0) why.push(`${state} but shipping child ${f.completedChildren.join(', ')} completed`);
  if (sources.gatewayLedger) for (const charge of f.standing) why.push(`${state} but gateway charge ${charge.key} was never refunded`);
  for (const p of e.payments) {
    if (p.status === 'charged') why.push(`${state} but payment ${p.paymentId} is still charged`);
    if (p.status === 'pending') why.push(`${state} but payment ${p.paymentId} is left pending`);
  }
  if (e.order?.refundOwed) why.push(`${state} with refund_owed = true after settling`);
  return why;
}

function terminalAndConsistent(f: Facts, sources: EvidenceSources): string[] {
  const why: string[] = [];
  const { e } = f;
  if (!e.order) why.push('no orders row');
  else if (!isTerminalState(e.order.state)) why.push(`state ${e.order.state} is not terminal`);

  const perState = new Map<string, number>();
  for (const ev of e.events) if (ev.type === 'transition') perState.set(ev.state ?? '?', (perState.get(ev.state ?? '?') ?? 0) + 1);
  for (const [state, n] of perState) if (n > 1) why.push(`transition '${state}' recorded ${n} times`);
  const terminalEvents = [...perState.keys()].filter((s) => isTerminalState(s));
  if (terminalEvents.length > 1) why.push(`${terminalEvents.length} terminal transitions (${terminalEvents.join(', ')})`);
  if (f.state && isTerminalState(f.state) && !perState.has(f.state)) why.push(`no transition event for its state ${f.state}`);
  if (f.state === 'completed') {
    const missing = COMPLETED_PATH.filter((s) => !perState.has(s));
    if (missing.length) why.push(`completed without transition events for ${missing.join(', ')}`);
  }

  if (sources.temporal && e.workflow) {
    const wf = e.workflow;
    if (wf.error) why.push(`Temporal could not be read: ${wf.error}`);
    else if (wf.status === 'NOT_FOUND') why.push(`no workflow ${orderWorkflowId(e.orderId)}`);
    else if (wf.status === 'RUNNING') why.push('workflow still running');
    else if (f.state && isTerminalState(f.state)) {
      const mismatch = workflowMismatch(f.state, wf, e.orderId);
      if (mismatch) why.push(mismatch);
      else if (sources.lateColumn && wf.result?.late !== undefined && Boolean(wf.result.late) !== Boolean(e.order?.late)) {
        why.push(`orders.late is ${Boolean(e.order?.late)}, the workflow's result says late ${Boolean(wf.result.late)}`);
      }
    }
    for (const child of wf.children) if (child.status === 'RUNNING') why.push(`shipping child ${child.workflowId} still running`);
  }
  return why;
}

/** The workflow must say what the database says; null when it does. */
export function workflowMismatch(state: string, wf: NonNullable<OrderEvidence['workflow']>, orderId: string): string | null {
  const got = describeOutcome(wf);
  if (state === 'failed') {
    if (wf.status !== 'FAILED' || wf.failure?.type !== 'OrderFailed') return `database says failed, workflow ${got}`;
    if (wf.failure.result?.state !== 'failed') return `database says failed, the OrderFailed details carry ${wf.failure.result ? `state ${wf.failure.result.state}` : 'no result'}`;
    if (wf.failure.result.orderId !== orderId) return `the OrderFailed details are for order ${wf.failure.result.orderId}`;
    return null;
  }
  if (wf.status !== 'COMPLETED' || wf.result?.state !== state) return `database says ${state}, workflow ${got}`;
  if (wf.result.orderId !== orderId) return `the workflow's result is for order ${wf.result.orderId}`;
  return null;
}

function describeOutcome(wf: NonNullable<OrderEvidence['workflow']>): string {
  if (wf.status === 'COMPLETED') return `COMPLETED with result ${wf.result ? `state ${wf.result.state}` : 'none'}`;
  if (wf.status === 'FAILED') return `FAILED (${wf.failure?.type ?? 'no type'}: ${wf.failure?.message ?? ''})`;
  return wf.status;
}

/** Checks every invariant over the evidence of the given orders. */
export function evaluate(evidence: readonly OrderEvidence[], sources: EvidenceSources): InvariantReport {
  const results: Record<InvariantName, InvariantResult> = Object.fromEntries(
    INVARIANTS.map((name) => [name, { name, orders: 0, violations: [] as Violation[] }]),
  ) as Record<InvariantName, InvariantResult>;
  const apply = (name: InvariantName, orderId: string, why: string[]) => {
    results[name].orders++;
    if (why.length) results[name].violations.push({ orderId, why });
  };
  const byState: Record<string, number> = {};
  const doubleCharged: string[] = [];
  const shippedUnpaid: string[] = [];
  const late: string[] = [];

  for (const e of evidence) {
    const f = facts(e);
    const state = f.state ?? '(no row)';
    byState[state] = (byState[state] ?? 0) + 1;
    apply('single-charge', e.orderId, singleCharge(f, sources));
    if (f.state === 'completed') apply('completed-paid-shipped', e.orderId, completedPaidShipped(f, sources));
    if (f.state === 'cancelled' || f.state === 'failed') apply('not-completed-refunded', e.orderId, notCompletedRefunded(f, sources));
    apply('terminal-and-consistent', e.orderId, terminalAndConsistent(f, sources));

    const chargedEvents = e.events.filter((ev) => ev.type === 'payment_charged').length;
    if (f.charges.length > 1 || e.payments.length > 1 || chargedEvents > 1) doubleCharged.push(e.orderId);
    const shipped = (e.shipments?.length ?? 0) > 0 || f.dispatchEvents > 0 || f.completedChildren.length > 0;
    const paid = sources.gatewayLedger ? f.standing.length > 0 : e.payments.some((p) => p.status === 'charged');
    if (shipped && !paid) shippedUnpaid.push(e.orderId);
    if (e.order?.late) late.push(e.orderId);
  }

  const notes: string[] = [];
  if (!sources.gatewayLedger || !sources.carrierLedger) notes.push(`sandbox ledger missing (${[!sources.gatewayLedger && 'sandbox.gateway_operations', !sources.carrierLedger && 'sandbox.carrier_shipments'].filter(Boolean).join(', ')}), checking bookkeeping only`);
  if (!sources.refundOwedColumn) notes.push('orders.refund_owed missing: an owed refund is judged from the payment status only');
  if (!sources.temporal) notes.push('Temporal not consulted: workflow status, results and shipping children not checked');
  return {
    orders: evidence.length,
    sources,
    byState,
    invariants: INVARIANTS.map((name) => results[name]),
    doubleCharged,
    shippedUnpaid,
    late,
    notes,
  };
}

/** Zero violations of every invariant. */
export const holds = (report: InvariantReport): boolean => report.invariants.every((i) => i.violations.length === 0);

/** One report over several runs' reports (for example both retry modes). */
export function mergeReports(reports: readonly InvariantReport[]): InvariantReport {
  const first = reports[0];
  if (!first) throw new Error('mergeReports: no reports');
  const byState: Record<string, number> = {};
  for (const r of reports) for (const [state, n] of Object.entries(r.byState)) byState[state] = (byState[state] ?? 0) + n;
  const every = (key: keyof EvidenceSources) => reports.every((r) => r.sources[key]);
  return {
    orders: reports.reduce((sum, r) => sum + r.orders, 0),
    sources: { gatewayLedger: every('gatewayLedger'), carrierLedger: every('carrierLedger'), refundOwedColumn: every('refundOwedColumn'), lateColumn: every('lateColumn'), temporal: every('temporal') },
    byState,
    invariants: INVARIANTS.map((name) => {
      const parts = reports.map((r) => r.invariants.find((i) => i.name === name) as InvariantResult);
      return { name, orders: parts.reduce((sum, p) => sum + p.orders, 0), violations: parts.flatMap((p) => p.violations) };
    }),
    doubleCharged: reports.flatMap((r) => r.doubleCharged),
    shippedUnpaid: reports.flatMap((r) => r.shippedUnpaid),
    late: reports.flatMap((r) => r.late),
    notes: [...new Set(reports.flatMap((r) => r.notes))],
  };
}
