/**
 * One randomized run: per retry mode, a stack of its own (real Temporal dev
 * server, real PostgreSQL, migrations, the built API and both workers), the
 * planned orders driven through the API, a wait (polling, with a deadline)
 * until every order has settled, then the invariant check.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import type { Client as PgClient } from 'pg';
import { harnessDb, repoRoot } from '@order-fulfillment/infra';
import { startIsolatedStack } from '@order-fulfillment/stack';
import { checkInvariants } from './check';
import type { OrderEvidence } from './evidence';
import { driveOrders, landedPhase, laterPhase, phaseAt, PHASES } from './drive';
import type { DrivenOrder, Phase } from './drive';
import { judgeMessages, loadOutcomes } from './messages';
import type { MessageCheck } from './messages';
import { MESSAGE_KINDS, planOrders, WINDOWS } from './plan';
import type { MessageKind, Window } from './plan';
import { seededRandom } from './random';
import { holds } from './rules';
import type { InvariantReport } from './rules';
import { captureStuckWorkflows, formatStuckWorkflows } from './stuck';
import type { StuckWorkflow } from './stuck';

export const RETRY_MODES = ['seed', 'deadline'] as const;
export type RetryMode = (typeof RETRY_MODES)[number];

export interface RunOptions {
  /** Orders in total, split evenly across the modes. */
  orders: number;
  modes: readonly RetryMode[];
  seed: number;
  /** Orders posted per second. */
  rate: number;
  /** How long after the last order is driven to wait for every order to settle. */
  settleMs: number;
  reviewMs: number;
  log: (line: string) => void;
  /** Keep each stack's logs (printed). */
  keepLogs?: boolean;
}

export interface WindowCounts {
  sent: number;
  accepted: number;
  refused: number;
  /** Neither accepted nor refused (503, network error). */
  other: number;
  byKind: Record<MessageKind, { sent: number; accepted: number }>;
}

export interface ModeRun {
  retryMode: RetryMode;
  seed: number;
  posted: number;
  accepted: number;
  notAccepted: Array<{ orderId: string; status: number; error: string | null }>;
  /** Messages by the window they were aimed at. */
  targeted: Record<Window, number>;
  /** Of those, not sent because the order was over before the window came. */
  skipped: Record<Window, number>;
  /** Messages by where the order was when they were sent (its history; else its live status), plus near_deadline (within 2 s of the deadline). */
  landed: Record<Phase | 'near_deadline', WindowCounts>;
  /** Orders still not terminal / workflows still running when the settle deadline passed. */
  unsettled: { notTerminal: number; running: number };
  /** The first few workflows still running when the settle deadline passed: what each waits on, its history's tail. */
  stuck: StuckWorkflow[];
  settleMs: number;
  wallSeconds: number;
  report: InvariantReport;
  /** What accepted messages promised, checked against how the orders ended. */
  messageChecks: MessageCheck[];
  /** Per order: its plan, the messages as sent, and the evidence the verdict used. */
  orders: Array<{ driven: DrivenOrder; evidence: OrderEvidence }>;
}

export interface RunResult {
  seed: number;
  wallSeconds: number;
  options: Omit<RunOptions, 'log'>;
  modes: ModeRun[];
}

/**
 * How long no workflow may have run before the check: longer than any activity
 * attempt can outlive its workflow (a hung call ends at its start-to-close
 * timeout, 2 s at most by default, plus a second).
 */
const QUIET_MS = 4_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Each mode gets its own seed derived from the master seed, so `--modes deadline` reproduces that half alone. */
export function modeSeed(master: number, mode: RetryMode): number {
  return (master ^ (mode === 'seed' ? 0x5eed0001 : 0xdead0002)) >>> 0;
}

export async function runInvariants(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const perMode = Math.max(1, Math.round(options.orders / options.modes.length));
  const modes: ModeRun[] = [];
  for (const mode of options.modes) modes.push(await runMode(mode, perMode, options));
  const { log: _log, ...rest } = options;
  return { seed: options.seed, wallSeconds: Math.round((Date.now() - started) / 100) / 10, options: rest, modes };
}

async function runMode(retryMode: RetryMode, count: number, options: RunOptions): Promise<ModeRun> {
  const { log } = options;
  const seed = modeSeed(options.seed, retryMode);
  const plans = planOrders(seededRandom(seed), count, `inv-${retryMode}-${options.seed}`);
  const started = Date.now();
  log(`[${retryMode}] starting the stack (RETRY_MODE=${retryMode}) ...`);
  const running = await startIsolatedStack(`inv_${retryMode}`, {
    RETRY_MODE: retryMode,
    ALLOW_FAULT_INJECTION: 'true',
    // A throw-away stack on loopback, driven hard by one client: no key, no rate limit, no
    // admission control (every planned order must start, so each of its phases is exercised).
    AUTH_DISABLED: 'true',
    RATE_LIMIT_MAX: '0',
    ADMISSION_MAX_IN_FLIGHT: 'off',
    ORDER_REVIEW_MS: String(options.reviewMs),
    // Warnings too: the SDK's (a workflow task that failed, a completion the server refused) are what explains a workflow that never ends.
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '30',
  });
  const { stack } = running;
  const db = await harnessDb(stack.databaseUrl);
  let connection: Connection | null = null;
  try {
    connection = await Connection.connect({ address: stack.temporalAddress });
    const temporal = new TemporalClient({ connection });
    log(`[${retryMode}] driving ${plans.length} orders at ${options.rate}/s (mode seed ${seed}) ...`);
    const driven = await driveOrders(plans, {
      apiUrl: stack.apiUrl,
      reviewMs: options.reviewMs,
      ratePerSecond: options.rate,
      progress: (line) => log(`[${retryMode}] ${line}`),
    });
    const acceptedIds = driven.filter((d) => d.accepted).map((d) => d.plan.orderId);

    // Settle: no workflow has run for QUIET_MS (so activity attempts still in flight when
    // the last one closed have ended, and any late write of theirs is in), or the deadline.
    const settleStarted = Date.now();
    const giveUp = settleStarted + options.settleMs;
    let unsettled = { notTerminal: acceptedIds.length, running: -1 };
    let quietSince: number | null = null;
    while (true) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND state IN ('completed','cancelled','failed')`,
        [acceptedIds],
      );
      const running = (await temporal.workflow.count('ExecutionStatus = "Running"')).count;
      unsettled = { notTerminal: acceptedIds.length - (rows[0]?.n ?? 0), running };
      quietSince = running === 0 ? (quietSince ?? Date.now()) : null;
      if ((quietSince !== null && Date.now() - quietSince >= QUIET_MS) || Date.now() >= giveUp) break;
      await sleep(500);
    }
    const settleMs = Date.now() - settleStarted;
    log(`[${retryMode}] settled in ${(settleMs / 1000).toFixed(1)} s (not terminal: ${unsettled.notTerminal}, workflows running: ${unsettled.running}); checking ...`);
    // Read what any workflow still running waits on now, while its server is up: the dev server's state goes with the stack.
    const stuck = unsettled.running > 0 ? await captureStuckWorkflows(temporal) : [];
    if (stuck.length) {
      log(`[${retryMode}] ${formatStuckWorkflows(stuck).replace(/\n/g, `\n[${retryMode}] `)}`);
      for (const line of workerWarnings(running.logsDir)) log(`[${retryMode}] ${line}`);
    }

    await placeMessages(db, driven);
    const { report, evidence } = await checkInvariants({ db, temporal, orderIds: acceptedIds });
    const evidenceById = new Map(evidence.map((e) => [e.orderId, e]));
    const messageChecks = judgeMessages(driven, await loadOutcomes(db, acceptedIds, report.sources.carrierLedger));
    return {
      retryMode,
      seed,
      posted: plans.length,
      accepted: acceptedIds.length,
      notAccepted: driven.filter((d) => !d.accepted).map((d) => ({ orderId: d.plan.orderId, status: d.postStatus, error: d.postError })),
      ...countMessages(driven),
      unsettled,
      stuck,
      settleMs,
      wallSeconds: Math.round((Date.now() - started) / 100) / 10,
      report,
      messageChecks,
      orders: driven.map((d) => ({ driven: d, evidence: evidenceById.get(d.plan.orderId) as OrderEvidence })),
    };
  } finally {
    await connection?.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    await running.stop({ keepLogs: options.keepLogs });
    if (options.keepLogs) log(`[${retryMode}] logs kept in ${running.logsDir}`);
  }
}

/** The workers' last warnings and errors (JSON lines at level 40 and up), for a run whose workflows did not all end. */
function workerWarnings(logsDir: string, limit = 40): string[] {
  const lines: string[] = [];
  for (const app of ['order-worker', 'shipping-worker']) {
    const file = join(logsDir, `${app}.log`);
    if (!existsSync(file)) continue;
    const warnings = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /"level":\s*(4|5|6)0\b/.test(line) && !line.includes('fault injection is ON'));
    lines.push(`${app}: ${warnings.length} warnings or errors${warnings.length > limit ? `, the last ${limit}` : ''}:`);
    for (const line of warnings.slice(-limit)) lines.push(`  ${line.slice(0, 400)}`);
  }
  return lines;
}

const emptyCounts = (): WindowCounts => ({
  sent: 0,
  accepted: 0,
  refused: 0,
  other: 0,
  byKind: Object.fromEntries(MESSAGE_KINDS.map((k) => [k, { sent: 0, accepted: 0 }])) as WindowCounts['byKind'],
});

export function countMessages(driven: readonly DrivenOrder[]): Pick<ModeRun, 'targeted' | 'skipped' | 'landed'> {
  const targeted = Object.fromEntries(WINDOWS.map((w) => [w, 0])) as Record<Window, number>;
  const skipped = Object.fromEntries(WINDOWS.map((w) => [w, 0])) as Record<Window, number>;
  const landed = Object.fromEntries([...PHASES, 'unknown', 'near_deadline'].map((p) => [p, emptyCounts()])) as ModeRun['landed'];
  for (const order of driven) {
    for (const m of order.skipped) {
      targeted[m.target]++;
      skipped[m.target]++;
    }
    for (const m of order.messages) {
      targeted[m.target]++;
      const buckets = [landed[m.phaseAtSend ?? m.landed], ...(m.nearDeadline ? [landed.near_deadline] : [])];
      for (const b of buckets) {
        b.sent++;
        if (m.accepted) b.accepted++;
        else if (m.httpStatus === 409) b.refused++;
        else b.other++;
        b.byKind[m.kind].sent++;
        if (m.accepted) b.byKind[m.kind].accepted++;
      }
    }
  }
  return { targeted, skipped, landed };
}

/** Writes the full report (seed, options, per-order plans, messages and evidence, verdicts) under tools/invariants/results/. */
export function writeReport(result: RunResult, all: InvariantReport, startedAt: number): string {
  const outDir = join(repoRoot(), 'tools', 'invariants', 'results');
  mkdirSync(outDir, { recursive: true });
  const date = new Date(startedAt).toISOString();
  const outFile = join(outDir, `invariants-${date.replace(/[:.]/g, '-')}-seed-${result.seed}.json`);
  writeFileSync(outFile, `${JSON.stringify({ checker: 'invariants', date, ...result, all }, null, 2)}\n`);
  return outFile;
}

/** Every invariant and every message check held in every mode. */
export const runHolds = (result: RunResult): boolean =>
  result.modes.every((m) => holds(m.report) && m.messageChecks.every((c) => c.violations.length === 0));

/**
 * Places each message on its order's own history: where the order was when the
 * message was sent, moved on when the refusal shows the workflow took it later.
 * The history merges the database's real-time marks (each transition event's
 * time, the pending payment row written when the charge starts, refund events)
 * with the events the workflow's timeline notes (review over, dispatch approved):
 * the timeline alone runs on the workflow's clock, which stands still through a
 * chain of local activities such as a deadline-mode charge.
 */
export async function placeMessages(db: PgClient, driven: readonly DrivenOrder[]): Promise<void> {
  const ids = driven.filter((d) => d.messages.length).map((d) => d.plan.orderId);
  const { rows: finals } = await db.query<{ order_id: string; timeline: Array<{ event: string; at: string }> | null }>(
    `SELECT order_id, payload->'status'->'timeline' AS timeline FROM events
      WHERE order_id = ANY($1) AND type = 'transition' AND payload ? 'status' ORDER BY id`,
    [ids],
  );
  const { rows: marks } = await db.query<{ order_id: string; event: string; at: Date }>(
    `SELECT order_id, payload->>'state' AS event, ts AS at FROM events WHERE order_id = ANY($1) AND type = 'transition'
     UNION ALL
     SELECT order_id, type, ts FROM events WHERE order_id = ANY($1) AND type IN ('payment_refunded', 'payment_voided', 'refund_pending')
     UNION ALL
     SELECT order_id, 'charge_started', created_at FROM payments WHERE order_id = ANY($1)`,
    [ids],
  );
  const histories = new Map<string, Array<{ event: string; at: string }>>();
  const add = (orderId: string, event: string, at: string) => {
    const list = histories.get(orderId) ?? [];
    list.push({ event, at });
    histories.set(orderId, list);
  };
  for (const m of marks) add(m.order_id, m.event, new Date(m.at).toISOString());
  const timelines = new Map(finals.filter((r) => Array.isArray(r.timeline)).map((r) => [r.order_id, r.timeline as Array<{ event: string; at: string }>]));
  for (const [orderId, timeline] of timelines) {
    for (const entry of timeline) if (TIMELINE_NOTES.has(entry.event)) add(orderId, entry.event, entry.at);
  }
  for (const order of driven) {
    const timeline = timelines.get(order.plan.orderId);
    if (timeline) order.timeline = timeline;
    const history = histories.get(order.plan.orderId);
    for (const m of order.messages) {
      m.phaseAtSend = history ? phaseAt(history, Date.parse(m.sentAt)) : null;
      const atSend = m.phaseAtSend ?? m.phaseBefore;
      m.landed = laterPhase(atSend, landedPhase(atSend, m.httpStatus, m.refusal));
    }
  }
}

/** The workflow timeline's notes that mark a phase (its state entries come from the database instead). */
const TIMELINE_NOTES = new Set(['review_approved', 'review_timer_elapsed', 'shipping_attempt', 'dispatch_approved', 'nothing_to_refund']);
