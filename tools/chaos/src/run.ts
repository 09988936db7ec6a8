/**
 * The chaos run: a real stack (Temporal in a SQLite file, an embedded
 * PostgreSQL of its own, the built API and workers under the stack's
 * supervisor), and per fault: orders posted until at least `inFlight` are in
 * flight, the fault injected, a wait (polling, with a deadline) until every
 * accepted order is terminal, then the invariant checker over every order.
 * The API requires a key throughout (hostile input tries it without one).
 */
import { randomBytes } from 'node:crypto';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import type { Client as PgClient } from 'pg';
import { orderWorkflowId } from '@order-fulfillment/contracts';
import { waitFor } from '@order-fulfillment/infra';
import { mapLimit, planOrders, seededRandom } from '@order-fulfillment/invariants';
import type { OrderPlan } from '@order-fulfillment/invariants';
import { startIsolatedStack } from '@order-fulfillment/stack';
import type { IsolatedStack } from '@order-fulfillment/stack';
import { hostileButValid, hostileRound, send } from './hostile';
import type { HostileAnswer } from './hostile';
import { logExcerpt } from './log-excerpt';
import { judge, passed, postOrder, postOrders, settle } from './orders';
import type { Client, FaultVerdict, PostOutcome } from './orders';

export const FAULTS = ['workers-killed', 'temporal-restart', 'postgres-outage', 'api-restart', 'hostile-input'] as const;
export type FaultName = (typeof FAULTS)[number];

export interface ChaosOptions {
  faults: readonly FaultName[];
  /** Orders posted per fault. */
  orders: number;
  /** The fault is injected once this many accepted orders are in flight (not terminal). */
  inFlight: number;
  /** Orders posted per second. */
  rate: number;
  seed: number;
  /** How long every accepted order has to end after the fault, at most. */
  settleMs: number;
  /**
   * The orders' deadline (ORDER_DEADLINE_MS). With 100+ in flight on a machine that sustains about
   * 3 orders/s, the product's 15 s fails nearly every order before its charge, and the fault would
   * only ever meet the refund path; a longer one lets orders be charged, shipped and completed while
   * the fault hits (ADR 015). Default 60 s.
   */
  deadlineMs?: number;
  log: (line: string) => void;
}

export interface FaultRun extends FaultVerdict {
  /** Accepted orders in flight when the fault was injected. */
  inFlightAtFault: number;
  seconds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

const APP_ENV = {
  ALLOW_FAULT_INJECTION: 'true',
  RATE_LIMIT_MAX: '0',
  // The faults are measured at a fixed number of orders in flight, not admission control's limit.
  ADMISSION_MAX_IN_FLIGHT: 'off',
  ORDER_REVIEW_MS: '2000',
  LOG_LEVEL: 'warn',
  DATABASE_POOL_SIZE: '30',
};

interface Harness {
  running: IsolatedStack;
  client: Client;
  db: PgClient;
  temporal(): Promise<TemporalClient>;
  /** Stops the stack; `keepLogs` leaves its apps' logs on disk (`running.logsDir`). */
  close(options?: { keepLogs?: boolean }): Promise<void>;
}

async function harness(name: string, appEnv: NodeJS.ProcessEnv, client: Omit<Client, 'apiUrl'>, log: (line: string) => void): Promise<Harness> {
  const running = await startIsolatedStack(name, appEnv, { temporalFile: true, embeddedPostgres: true, log: (line) => log(`[stack] ${line}`) });
  // A pool, not one connection: it reconnects after the PostgreSQL outage.
  const pool = new Pool({ connectionString: running.stack.databaseUrl, max: 4 });
  pool.on('error', () => undefined); // idle connections cut by the outage
  let connection: Connection | null = null;
  let address = '';
  return {
    running,
    client: { apiUrl: running.stack.apiUrl, ...client },
    db: pool as unknown as PgClient,
    // A fresh connection after a Temporal restart.
    async temporal() {
      if (!connection || address !== running.stack.temporalAddress) {
        await connection?.close().catch(() => undefined);
        connection = await Connection.connect({ address: running.stack.temporalAddress });
        address = running.stack.temporalAddress;
      }
      return new TemporalClient({ connection });
    },
    async close({ keepLogs = false } = {}) {
      await connection?.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await running.stop({ keepLogs });
    },
  };
}

const plansFor = (fault: FaultName, options: ChaosOptions): OrderPlan[] =>
  // The exercise's faults per order, no messages: the fault under test is the stack's.
  planOrders(seededRandom(options.seed ^ FAULTS.indexOf(fault)), options.orders, `chaos-${fault}-${options.seed}`).map((p) => ({ ...p, messages: [] }));

/** Accepted orders (a 201 or 200 received) not terminal yet. */
async function inFlightNow(db: PgClient, accepted: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND state IN ('completed','cancelled','failed')`, [accepted]);
  return accepted.length - (rows[0]?.n ?? 0);
}

/** Posts the fault's orders, injects the fault once enough are in flight, waits for every order to end and judges. */
async function underLoad(h: Harness, fault: FaultName, options: ChaosOptions, inject: () => Promise<string[]>, after?: (accepted: PostOutcome[]) => Promise<string[]>): Promise<FaultRun> {
  const { log } = options;
  const started = Date.now();
  const plans = plansFor(fault, options);
  const acceptedSoFar: string[] = [];
  log(`[${fault}] posting ${plans.length} orders at ${options.rate}/s ...`);
  const posting = postOrders(h.client, plans, options.rate, (id) => acceptedSoFar.push(id));
  let postingDone = false;
  void posting.finally(() => (postingDone = true));
  const target = Math.min(options.inFlight, plans.length);
  const { n: inFlightAtFault } = await waitFor(
    `${target} orders in flight`,
    async () => {
      const n = await inFlightNow(h.db, acceptedSoFar);
      return n >= target || postingDone ? { n } : null;
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  log(`[${fault}] ${inFlightAtFault} orders in flight: injecting the fault`);
  const problems = await inject();
  const outcomes = await posting;
  const accepted = outcomes.filter((o) => o.accepted);
  const refused = outcomes.filter((o) => !o.accepted);
  for (const o of refused.slice(0, 5)) problems.push(`order ${o.orderId} never accepted (${o.status} after ${o.attempts} attempts: ${o.error ?? ''})`);
  if (refused.length > 5) problems.push(`... and ${refused.length - 5} more orders never accepted`);
  if (after) problems.push(...(await after(accepted)));
  const acceptedIds = accepted.map((o) => o.orderId);
  const retried = outcomes.filter((o) => o.attempts > 1).length;
  log(`[${fault}] ${accepted.length}/${plans.length} accepted (${retried} after more than one attempt); waiting for every order to end ...`);
  const settled = await settle(h.db, await h.temporal(), acceptedIds, options.settleMs);
  log(`[${fault}] settled in ${(settled.ms / 1000).toFixed(1)} s (not terminal: ${settled.notTerminal}, workflows running: ${settled.running}); checking ...`);
  if (inFlightAtFault < target) problems.push(`only ${inFlightAtFault} orders in flight when the fault was injected (wanted ${target})`);
  const verdict = await judge(fault, h.db, await h.temporal(), acceptedIds, problems);
  return { ...verdict, inFlightAtFault, seconds: Math.round((Date.now() - started) / 1000) };
}

/** Waits until the supervisor has restarted `app` `count` times and says it is ready. */
async function restartedAndReady(h: Harness, app: 'order-worker' | 'shipping-worker' | 'api', count: number, lines: readonly string[]): Promise<void> {
  await waitFor(`${app} restarted and ready`, async () => (h.running.stack.restarts.get(app) ?? 0) >= count && lines.includes(`[stack] ${app}: ready again (restart #${count})`), {
    timeoutMs: 120_000,
    intervalMs: 200,
  });
}

export async function runChaos(options: ChaosOptions): Promise<FaultRun[]> {
  const { log } = options;
  const results: FaultRun[] = [];
  const lines: string[] = [];
  const record = (line: string) => {
    lines.push(line);
    log(line);
  };
  // One stack for every fault, its API requiring a key (as a deployment's does): hostile input
  // needs one, and a start-up costs ~30 s. Each fault judges only its own orders.
  const apiKey = randomBytes(24).toString('hex');
  log(`starting the stack (Temporal in a SQLite file, an embedded PostgreSQL, API_KEY of 48 characters) ...`);
  const h = await harness('chaos', { ...APP_ENV, ORDER_DEADLINE_MS: String(options.deadlineMs ?? 60_000), API_KEY: apiKey }, { apiKey }, record);
  let finished = false;
  try {
    for (const fault of options.faults) results.push(fault === 'hostile-input' ? await hostileInput(h, options, apiKey) : await runFault(h, fault, options, lines));
    finished = true;
  } finally {
    // A run that failed or found a problem keeps the apps' logs, so it can be looked into after the fact.
    const keepLogs = !finished || !results.every(passed);
    await h.close({ keepLogs });
    if (keepLogs) {
      log(`the stack's logs are kept in ${h.running.logsDir}`);
      // CI machines are gone by the time anyone reads their output: show what the apps said went wrong.
      for (const line of logExcerpt(h.running.logsDir)) log(line);
    }
  }
  return results;
}

async function runFault(h: Harness, fault: Exclude<FaultName, 'hostile-input'>, options: ChaosOptions, lines: string[]): Promise<FaultRun> {
  const { stack } = h.running;
  switch (fault) {
    case 'workers-killed':
      return underLoad(h, fault, options, async () => {
        const before = { order: stack.restarts.get('order-worker') ?? 0, shipping: stack.restarts.get('shipping-worker') ?? 0 };
        for (const app of ['order-worker', 'shipping-worker'] as const) process.kill(stack.processes.get(app)?.child.pid as number, 'SIGKILL');
        await restartedAndReady(h, 'order-worker', before.order + 1, lines);
        await restartedAndReady(h, 'shipping-worker', before.shipping + 1, lines);
        return [];
      });
    case 'temporal-restart':
      return underLoad(h, fault, options, async () => {
        await stack.restartTemporal(1_000);
        return [];
      });
    case 'postgres-outage':
      return underLoad(h, fault, options, async () => {
        const outage = h.running.database.outage;
        if (!outage) return ['no embedded PostgreSQL to stop'];
        const problems: string[] = [];
        const apiExitsBefore = stack.restarts.get('api') ?? 0;
        const workerExitsBefore = stack.restarts.get('order-worker') ?? 0;
        const linesBefore = lines.length;
        const downAt = Date.now();
        await outage.down();
        options.log(`[postgres-outage] PostgreSQL stopped; /health/ready must answer 503`);
        const notReady = await waitFor('/health/ready 503', async () => (await fetch(`${h.client.apiUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) })).status === 503, {
          timeoutMs: 9_000,
          intervalMs: 200,
        }).catch((err: unknown) => problems.push(`/health/ready did not answer 503 while PostgreSQL was down: ${String(err)}`));
        options.log(`[postgres-outage] /health/ready: ${notReady === true ? '503 (not ready)' : 'NOT 503'}`);
        // An API (re)started while the database is down comes up all the same, not ready (ADR 053).
        stack.processes.get('api')?.child.kill('SIGKILL');
        const restartedNotReady = await waitFor(
          'the restarted API alive and answering 503',
          async () =>
            (stack.restarts.get('api') ?? 0) > apiExitsBefore &&
            (await fetch(`${h.client.apiUrl}/health/live`, { signal: AbortSignal.timeout(5_000) })).ok &&
            (await fetch(`${h.client.apiUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) })).status === 503,
          { timeoutMs: 30_000, intervalMs: 200 },
        ).catch((err: unknown) => problems.push(`an API restarted while PostgreSQL was down did not come up answering 503: ${String(err)}`));
        options.log(`[postgres-outage] API killed and restarted while PostgreSQL is down: ${restartedNotReady === true ? 'alive, /health/ready 503' : 'NOT up'}`);
        // A worker (re)started meanwhile waits for the database instead of exiting again and again (ADR 053).
        stack.processes.get('order-worker')?.child.kill('SIGKILL');
        options.log(`[postgres-outage] order-worker killed while PostgreSQL is down: it must wait for it, then poll`);
        await sleep(downAt + 10_000 - Date.now()); // the outage lasts at least 10 s
        await outage.up();
        options.log(`[postgres-outage] PostgreSQL started again after ${((Date.now() - downAt) / 1000).toFixed(1)} s`);
        await waitFor('/health/ready 200 again', async () => (await fetch(`${h.client.apiUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) })).ok, {
          timeoutMs: 60_000,
          intervalMs: 250,
        }).catch((err: unknown) => problems.push(`/health/ready not ready again after PostgreSQL came back: ${String(err)}`));
        await restartedAndReady(h, 'order-worker', workerExitsBefore + 1, lines).catch((err: unknown) =>
          problems.push(`the order-worker restarted during the outage was not ready after PostgreSQL came back: ${String(err)}`),
        );
        // Each exited once, when it was killed: never on its own because the database was away.
        for (const [app, before] of [['api', apiExitsBefore], ['order-worker', workerExitsBefore]] as const) {
          const exits = (stack.restarts.get(app) ?? 0) - before;
          if (exits === 1) continue;
          const how = lines.slice(linesBefore).filter((line) => line.startsWith(`[stack] ${app} exited`));
          problems.push(`the ${app} exited ${exits} times during the outage; once was expected (the kill): ${how.join(' | ')}`);
        }
        return problems;
      });
    case 'api-restart':
      return underLoad(
        h,
        fault,
        options,
        async () => {
          const before = stack.restarts.get('api') ?? 0;
          process.kill(stack.processes.get('api')?.child.pid as number, 'SIGKILL');
          await restartedAndReady(h, 'api', before + 1, lines);
          return [];
        },
        async (accepted) => {
          // Every client whose answer was lost sends the same POST again: the same order, 200.
          const problems: string[] = [];
          const plans = new Map(plansFor('api-restart', options).map((p) => [p.orderId, p]));
          const again = await mapLimit(accepted, 16, (o) => postOrder(h.client, plans.get(o.orderId) as OrderPlan, 30_000));
          const not200 = again.filter((a) => a.status !== 200);
          if (not200.length) problems.push(`a repeated POST was not answered 200 for ${not200.length} orders (${not200.slice(0, 5).map((a) => `${a.orderId}: ${a.status}`).join(', ')})`);
          // One order, never two: one workflow run per order id.
          const temporal = await h.temporal();
          const runs = await mapLimit(accepted, 16, async (o) => {
            let n = 0;
            for await (const _ of temporal.workflow.list({ query: `WorkflowId = "${orderWorkflowId(o.orderId)}"` })) n++;
            return { orderId: o.orderId, n };
          });
          const twice = runs.filter((r) => r.n !== 1);
          if (twice.length) problems.push(`orders with other than one workflow run: ${twice.slice(0, 10).map((r) => `${r.orderId} (${r.n})`).join(', ')}`);
          options.log(`[api-restart] repeated POSTs: ${again.length - not200.length}/${again.length} answered 200; workflow runs per order: ${twice.length ? 'NOT always 1' : 'always 1'}`);
          return problems;
        },
      );
  }
}

async function hostileInput(h: Harness, options: ChaosOptions, apiKey: string): Promise<FaultRun> {
  const answers: HostileAnswer[] = [];
  const rowsBefore = (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]?.n ?? 0;
  const result = await underLoad(h, 'hostile-input', options, async () => {
    // Rounds of hostile requests, 16 at a time, while the orders are in flight.
    const rounds = Math.max(10, Math.round(options.orders / 4));
    const requests = Array.from({ length: rounds }, (_, n) => [...hostileRound(n), ...(n < 5 ? hostileButValid(n) : [])]).flat();
    answers.push(...(await mapLimit(requests, 16, (r) => send(h.client, r, apiKey))));
    options.log(`[hostile-input] ${answers.length} hostile requests sent`);
    return [];
  });
  const problems: string[] = [];
  const fiveHundreds = answers.filter((a) => a.status >= 500 || a.status === 0);
  if (fiveHundreds.length) {
    const kinds = [...new Set(fiveHundreds.map((a) => `${a.request.name}: ${a.status || a.error}`))];
    problems.push(`${fiveHundreds.length} hostile requests got a 5xx or no answer: ${kinds.slice(0, 10).join('; ')}`);
  }
  const wronglyAccepted = answers.filter((a) => (a.request.auth !== 'key' && a.status < 400) || (a.status >= 200 && a.status < 300 && !a.request.name.startsWith('valid order')));
  if (wronglyAccepted.length) problems.push(`accepted what should be refused: ${[...new Set(wronglyAccepted.map((a) => `${a.request.name} (${a.status})`))].join('; ')}`);
  // PostgreSQL text cannot hold NUL, so an id with one cannot have been written.
  const refusedIds = answers.filter((a) => a.status >= 400 && a.request.orderId && !a.request.orderId.includes('\u0000')).map((a) => a.request.orderId as string);
  const { rows: written } = await h.db.query<{ id: string }>('SELECT id FROM orders WHERE id = ANY($1)', [refusedIds]);
  if (written.length) problems.push(`rows written for refused input: ${written.map((r) => r.id).slice(0, 10).join(', ')}`);
  // Valid orders with hostile addresses are orders like the others: they must end and pass the check too.
  const validIds = answers.filter((a) => a.request.name.startsWith('valid order') && (a.status === 201 || a.status === 200)).map((a) => a.request.orderId as string);
  const { rows: total } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  const expected = result.orders + validIds.length;
  const added = (total[0]?.n ?? 0) - rowsBefore;
  if (added !== expected) problems.push(`${added} order rows added, expected ${expected} (the accepted orders only)`);
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  options.log(`[hostile-input] answers by status: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ')}; refused rows written: ${written.length}`);
  let extra: FaultVerdict | null = null;
  if (validIds.length) {
    await settle(h.db, await h.temporal(), validIds, options.settleMs);
    extra = await judge('hostile-input', h.db, await h.temporal(), validIds);
  }
  const merged: FaultRun = extra
    ? {
        ...result,
        orders: result.orders + extra.orders,
        completed: result.completed + extra.completed,
        cancelled: result.cancelled + extra.cancelled,
        failed: result.failed + extra.failed,
        lost: result.lost + extra.lost,
        doubleCharged: result.doubleCharged + extra.doubleCharged,
        shippedUnpaid: result.shippedUnpaid + extra.shippedUnpaid,
        violations: Object.fromEntries(Object.keys({ ...result.violations, ...extra.violations }).map((k) => [k, (result.violations[k] ?? 0) + (extra?.violations[k] ?? 0)])),
        problems: [...result.problems, ...extra.problems, ...problems],
      }
    : { ...result, problems: [...result.problems, ...problems] };
  return merged;
}
