/**
 * Load for a fault: orders posted through the API as a careful client would
 * (the same orderId and body again after a network error, a 5xx or a 429,
 * until a deadline), a wait for every accepted order to end (polling, with a
 * deadline), and the verdict: the invariant checker over every accepted order,
 * summed up as one `fault:` line.
 */
import type { Client as TemporalClient } from '@temporalio/client';
import type { Client as PgClient } from 'pg';
import { checkInvariants, formatReport } from '@order-fulfillment/invariants';
import type { InvariantReport, OrderPlan } from '@order-fulfillment/invariants';

export interface PostOutcome {
  orderId: string;
  /** The last answer's status (0: no answer). */
  status: number;
  /** 201 (created) or 200 (the same order, already there). */
  accepted: boolean;
  attempts: number;
  error: string | null;
}

export interface Client {
  apiUrl: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export const orderBody = (plan: OrderPlan) => ({
  orderId: plan.orderId,
  paymentId: plan.paymentId,
  items: plan.items,
  ...(plan.address ? { address: plan.address } : {}),
  faults: plan.faults,
});

export const headers = (client: Client, json = true): Record<string, string> => ({
  ...(json ? { 'content-type': 'application/json' } : {}),
  ...(client.apiKey ? { authorization: `Bearer ${client.apiKey}` } : {}),
});

/**
 * POSTs one order, again with the same body after no answer, a 5xx or a 429
 * (backing off), until it is accepted, refused (another 4xx) or `giveUpMs` passed.
 */
export async function postOrder(client: Client, plan: OrderPlan, giveUpMs = 90_000): Promise<PostOutcome> {
  const body = JSON.stringify(orderBody(plan));
  const giveUp = Date.now() + giveUpMs;
  let attempts = 0;
  let backoff = 250;
  for (;;) {
    attempts++;
    let status = 0;
    let error: string | null = null;
    try {
      const response = await fetch(`${client.apiUrl}/orders`, { method: 'POST', headers: headers(client), body, signal: AbortSignal.timeout(20_000) });
      status = response.status;
      const text = await response.text();
      if (status === 200 || status === 201) return { orderId: plan.orderId, status, accepted: true, attempts, error: null };
      error = text.slice(0, 300);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const retry = status === 0 || status === 429 || status >= 500;
    if (!retry || Date.now() + backoff > giveUp) return { orderId: plan.orderId, status, accepted: false, attempts, error };
    await sleep(backoff * (0.75 + Math.random() * 0.5));
    backoff = Math.min(backoff * 2, 4_000);
  }
}

/** Posts the plans at `ratePerSecond`, each with its own retries; resolves when every post has ended. */
export async function postOrders(client: Client, plans: readonly OrderPlan[], ratePerSecond: number, onAccepted?: (orderId: string) => void): Promise<PostOutcome[]> {
  const started = Date.now();
  return Promise.all(
    plans.map(async (plan, i) => {
      await sleep(started + (i * 1000) / ratePerSecond - Date.now());
      const outcome = await postOrder(client, plan);
      if (outcome.accepted) onAccepted?.(outcome.orderId);
      return outcome;
    }),
  );
}

/** Accepted orders whose row is not terminal (or not there yet). */
export async function notTerminal(db: PgClient, orderIds: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND state IN ('completed','cancelled','failed')`, [orderIds]);
  return orderIds.length - (rows[0]?.n ?? 0);
}

/**
 * How long no workflow may have run before the check (as the invariant run
 * does): any activity attempt still in flight when its workflow closed has ended.
 */
const QUIET_MS = 4_000;

/** Polls until every order is terminal and no workflow has run for a while, or the deadline. */
export async function settle(db: PgClient, temporal: TemporalClient, orderIds: readonly string[], timeoutMs: number): Promise<{ notTerminal: number; running: number; ms: number }> {
  const started = Date.now();
  let quietSince: number | null = null;
  for (;;) {
    let pending = orderIds.length;
    let running = -1;
    try {
      pending = await notTerminal(db, orderIds);
      running = (await temporal.workflow.count('ExecutionStatus = "Running"')).count;
    } catch {
      // a server still coming back: ask again
    }
    quietSince = pending === 0 && running === 0 ? (quietSince ?? Date.now()) : null;
    if ((quietSince !== null && Date.now() - quietSince >= QUIET_MS) || Date.now() - started >= timeoutMs) {
      return { notTerminal: pending, running, ms: Date.now() - started };
    }
    await sleep(500);
  }
}

export interface FaultVerdict {
  fault: string;
  orders: number;
  completed: number;
  cancelled: number;
  failed: number;
  /** Accepted, but not terminal (or not there at all) when the wait ended. */
  lost: number;
  doubleCharged: number;
  shippedUnpaid: number;
  /** Invariants with violations, by name. */
  violations: Record<string, number>;
  /** Other ways this fault's promise was broken (a 5xx to hostile input, a second workflow, ...). */
  problems: string[];
  report: InvariantReport;
}

export async function judge(fault: string, db: PgClient, temporal: TemporalClient, acceptedIds: readonly string[], problems: string[] = []): Promise<FaultVerdict> {
  const { report } = await checkInvariants({ db, temporal, orderIds: acceptedIds });
  const { rows } = await db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM orders WHERE id = ANY($1) GROUP BY state`, [acceptedIds]);
  const by = (state: string) => rows.find((r) => r.state === state)?.n ?? 0;
  const completed = by('completed');
  const cancelled = by('cancelled');
  const failed = by('failed');
  const violations = Object.fromEntries(report.invariants.filter((i) => i.violations.length > 0).map((i) => [i.name, i.violations.length]));
  return {
    fault,
    orders: acceptedIds.length,
    completed,
    cancelled,
    failed,
    lost: acceptedIds.length - completed - cancelled - failed,
    doubleCharged: report.doubleCharged.length,
    shippedUnpaid: report.shippedUnpaid.length,
    violations,
    problems,
    report,
  };
}

export const faultLine = (v: FaultVerdict): string =>
  `fault: ${v.fault} orders: ${v.orders} completed: ${v.completed} cancelled: ${v.cancelled} failed: ${v.failed} lost: ${v.lost} double-charged: ${v.doubleCharged} shipped-unpaid: ${v.shippedUnpaid}`;

/** A fault passed when nothing was lost, charged twice or shipped unpaid, every invariant held and nothing else went wrong. */
export const passed = (v: FaultVerdict): boolean => v.lost === 0 && v.doubleCharged === 0 && v.shippedUnpaid === 0 && Object.keys(v.violations).length === 0 && v.problems.length === 0;

/** The detail behind a verdict: the invariant report and the problems. */
export const verdictDetail = (v: FaultVerdict): string => [formatReport(v.report, { maxViolators: 20 }), ...v.problems.map((p) => `problem: ${p}`)].join('\n');
