/**
 * The bench's steps: offers orders at a fixed rate (or all at once) to a
 * driver, observes when each completes, and reads the CPU and memory of every
 * process of the variant meanwhile.
 *
 * Latency is measured from the client's POST (or workflow start, for the
 * bare baseline), recorded by this process just before it sends the request,
 * to the completion: for this system, the `updated_at` the `completed` state
 * was written with (clock_timestamp(), the same machine's clock); for the
 * bare baseline, the moment this process sees the workflow's result.
 */
import { setMaxListeners } from 'node:events';
import { cpus } from 'node:os';
import type { Client as PgClient } from 'pg';
import { harnessDb } from '@order-fulfillment/stack';
import { Client as TemporalClient, Connection, WorkflowIdReusePolicy } from '@temporalio/client';
import { BARE_ORDERS_QUEUE } from './bare-workflows';
import type { BareOrderInput } from './bare-workflows';
import { ProcessUsage, UsageSampler, machineBusySeconds } from './proc';
import { LatencySummary, achievedThroughput, latencyGrowth, latencySummary, share } from './stats';

export const SLO_MS = 15_000;

export type Offer = { outcome: 'accepted' } | { outcome: 'refused'; status: number } | { outcome: 'error'; detail: string };

/** How a step reaches one variant. */
export interface Driver {
  /** Offers one order; resolves once the system answered (accepted, refused or failed). */
  offer(orderId: string): Promise<Offer>;
  /** Of these accepted orders, the terminal ones now: completion time (epoch ms) when completed, null when failed or cancelled. */
  terminal(orderIds: readonly string[]): Promise<Map<string, number | null>>;
  close(): Promise<void>;
}

export interface StepSpec {
  kind: 'warm-up' | 'ladder' | 'burst' | 'reads' | 'faults' | 'faults-burst' | 'overload';
  /** Orders per second; for a burst, the number of orders posted at once is `orders`. */
  rate: number | null;
  durationS: number;
  orders?: number;
  /** How long after the last POST to keep watching (default: the SLO + 3 s). */
  observeMs?: number;
}

export interface StepResult {
  kind: StepSpec['kind'];
  rate: number | null;
  durationS: number;
  offered: number;
  accepted: number;
  /** HTTP 429/503 (admission control's refusals). */
  refused: number;
  errors: number;
  completed: number;
  /** Completed within the SLO from their POST. */
  withinSlo: number;
  /** Of the offered orders (refused and failed count as misses). */
  withinSloShare: number;
  /** Of the accepted orders only. */
  withinSloShareOfAccepted: number;
  /** Over every accepted order; an order not completed counts as slower than all (see latencySummary). */
  latencyMs: LatencySummary;
  /** Orders completed within the SLO per second of offering. */
  goodput: number;
  /**
   * p50 latency of the first and the last third of the accepted orders by POST time, ms (null: beyond
   * the window), and whether the rung was sustained: the last third's p50 not above the first's
   * + GROWTH_SLACK_MS (stats.ts latencyGrowth). A rung that is not sustained misses
   * the SLO whatever its share within it. Absent in results of runs before this check.
   */
  latencyFirstThirdP50Ms?: number | null;
  latencyLastThirdP50Ms?: number | null;
  sustained?: boolean;
  /** Completed orders / (the last completion - the first POST), orders per second. Absent in older results. */
  throughput?: number;
  /** From the first POST to the end of observation. */
  wallS: number;
  /** When the step began (epoch ms): the order of the steps of ladders run side by side. Absent in older results. */
  startedAtMs?: number;
  /** Per process tree, over the step's wall time. */
  usage: Record<string, ProcessUsage & { cpuSecondsPerOrder: number | null; cpuShareOfMachine: number }>;
  /** This process (the load generator, and autocannon when it runs). */
  clientCpuSeconds: number;
  /** Everything else on the machine meanwhile (other users of a shared machine; beside the ratio's two ladders, the other side's idle stack), CPU seconds. */
  otherCpuSeconds: number;
  /** The accepted orders' ids (not written to the JSON). */
  orderIds: string[];
  /** The accepted orders not completed within the SLO: when each was posted and its latency (null: not completed). Not written to the JSON. */
  missedOrders: Array<{ orderId: string; postedAt: number; latencyMs: number | null }>;
  /** Orders of earlier steps still running when this one started (after settling; see settle). */
  backlogAtStart: number;
}

/**
 * Waits (up to `maxMs`) until every order an earlier step got accepted is
 * terminal, so a step that overloaded the system does not leave its backlog
 * to the next one. Returns how many are still running.
 */
export async function settle(driver: Driver, accepted: readonly string[], maxMs: number): Promise<number> {
  const until = Date.now() + maxMs;
  for (;;) {
    const running = accepted.length - (await driver.terminal(accepted)).size;
    if (running === 0 || Date.now() >= until) return running;
    await sleep(500);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runStep(
  name: string,
  driver: Driver,
  pids: () => Record<string, number | null>,
  spec: StepSpec,
  log: (line: string) => void,
  backlogAtStart = 0,
): Promise<StepResult> {
  const orders = spec.kind.endsWith('burst') ? (spec.orders ?? 100) : Math.max(1, Math.round((spec.rate ?? 1) * spec.durationS));
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
  const ids = Array.from({ length: orders }, (_, i) => `bench-${name}-${spec.kind}-${run}-${i}`);
  const postedAt = new Map<string, number>();
  const sampler = new UsageSampler(pids);
  const clientBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  sampler.start();
  const started = Date.now();
  const offers: Array<Promise<[string, Offer]>> = [];
  const intervalMs = spec.rate ? 1000 / spec.rate : 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    if (intervalMs && !spec.kind.endsWith('burst')) {
      // Open loop: each order at its own time, whatever happened to the earlier ones.
      const wait = started + i * intervalMs - Date.now();
      if (wait > 0) await sleep(wait);
    }
    postedAt.set(id, Date.now());
    offers.push(
      driver.offer(id).then(
        (o): [string, Offer] => [id, o],
        (err: unknown): [string, Offer] => [id, { outcome: 'error', detail: String(err) }],
      ),
    );
  }
  const outcomes = new Map(await Promise.all(offers));
  const accepted = ids.filter((id) => outcomes.get(id)?.outcome === 'accepted');
  const refused = ids.filter((id) => outcomes.get(id)?.outcome === 'refused').length;
  const errors = ids.length - accepted.length - refused;
  if (errors) {
    const first = [...outcomes.values()].find((o) => o.outcome === 'error');
    log(`  ${errors} offers failed (first: ${first && 'detail' in first ? first.detail : '?'})`);
  }

  const lastPost = Math.max(...postedAt.values());
  const observeUntil = lastPost + (spec.observeMs ?? SLO_MS + 3_000);
  let terminal = new Map<string, number | null>();
  while (Date.now() < observeUntil) {
    terminal = await driver.terminal(accepted);
    if (terminal.size >= accepted.length) break;
    await sleep(500);
  }
  if (terminal.size < accepted.length) terminal = await driver.terminal(accepted);
  const wallS = (Date.now() - started) / 1000;
  const usage = sampler.stop();
  const clientCpu = process.cpuUsage(clientBefore);
  const clientCpuSeconds = (clientCpu.user + clientCpu.system) / 1e6;
  const machineCpu = machineBusySeconds() - machineBefore;

  const latencies = accepted.map((id) => {
    const done = terminal.get(id);
    return done === undefined || done === null ? null : Math.max(0, done - (postedAt.get(id) as number));
  });
  const growth = latencyGrowth(accepted.map((id, i) => ({ postedAtMs: postedAt.get(id) as number, latencyMs: latencies[i] ?? null })));
  const completedAt = accepted.map((id) => terminal.get(id)).filter((t): t is number => typeof t === 'number');
  const firstPost = Math.min(...postedAt.values());
  const completed = latencies.filter((ms) => ms !== null).length;
  const withinSlo = latencies.filter((ms) => ms !== null && ms <= SLO_MS).length;
  const cores = cpus().length;
  const ours = Object.values(usage).reduce((sum, u) => sum + u.cpuSeconds, 0) + clientCpuSeconds;
  return {
    kind: spec.kind,
    rate: spec.rate,
    durationS: spec.durationS,
    offered: ids.length,
    accepted: accepted.length,
    refused,
    errors,
    completed,
    withinSlo,
    withinSloShare: share(withinSlo, ids.length),
    withinSloShareOfAccepted: share(withinSlo, accepted.length),
    latencyMs: latencySummary(latencies),
    goodput: Math.round((withinSlo / (spec.kind.endsWith('burst') ? wallS : spec.durationS)) * 100) / 100,
    latencyFirstThirdP50Ms: growth.firstThirdP50Ms,
    latencyLastThirdP50Ms: growth.lastThirdP50Ms,
    sustained: !growth.growing,
    throughput: achievedThroughput(firstPost, completedAt),
    wallS: Math.round(wallS * 10) / 10,
    startedAtMs: started,
    usage: Object.fromEntries(
      Object.entries(usage).map(([proc, u]) => [
        proc,
        {
          ...u,
          cpuSecondsPerOrder: accepted.length ? Math.round((u.cpuSeconds / accepted.length) * 10_000) / 10_000 : null,
          cpuShareOfMachine: share(u.cpuSeconds, wallS * cores),
        },
      ]),
    ),
    clientCpuSeconds: Math.round(clientCpuSeconds * 100) / 100,
    otherCpuSeconds: Math.round(Math.max(0, machineCpu - ours) * 100) / 100,
    orderIds: accepted,
    missedOrders: accepted.flatMap((id, i) => {
      const latencyMs = latencies[i] ?? null;
      return latencyMs !== null && latencyMs <= SLO_MS ? [] : [{ orderId: id, postedAt: postedAt.get(id) as number, latencyMs }];
    }),
    backlogAtStart,
  };
}

/** This system, through its REST API; completion from the orders table. */
export async function systemDriver(apiUrl: string, databaseUrl: string): Promise<Driver> {
  const db = await harnessDb(databaseUrl);
  return {
    async offer(orderId) {
      const response = await fetch(`${apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderId, paymentId: `pmt-${orderId}` }),
      });
      await response.arrayBuffer();
      if (response.status === 201) return { outcome: 'accepted' };
      if ((response.status === 429 || response.status === 503) && response.headers.has('retry-after'))
        return { outcome: 'refused', status: response.status };
      return { outcome: 'error', detail: `HTTP ${response.status}` };
    },
    async terminal(orderIds) {
      const { rows } = await db.query<{ id: string; state: string; done_ms: string }>(
        `SELECT id, state, EXTRACT(EPOCH FROM updated_at) * 1000 AS done_ms FROM orders
          WHERE id = ANY($1) AND state IN ('completed', 'cancelled', 'failed')`,
        [orderIds],
      );
      return new Map(rows.map((r) => [r.id, r.state === 'completed' ? Number(r.done_ms) : null]));
    },
    close: () => db.end(),
  };
}

/** Where one order's time went: its recorded events, in real time from its POST. */
export interface OrderTrace {
  orderId: string;
  state: string | null;
  latencyMs: number | null;
  /** `event +s`, from the events table (transitions by state, audit events by type). */
  events: string[];
}

/** Reads, for each missed order, what it recorded and when (the events table's own clock, like the completion), on the caller's connection. */
export async function traceOrders(db: Pick<PgClient, 'query'>, missed: StepResult['missedOrders'], limit = 10): Promise<OrderTrace[]> {
  const chosen = missed.slice(0, limit);
  if (!chosen.length) return [];
  const ids = chosen.map((m) => m.orderId);
  const { rows } = await db.query<{ order_id: string; what: string; ms: string }>(
    `SELECT order_id, CASE WHEN type = 'transition' THEN payload->>'state' ELSE type END AS what, EXTRACT(EPOCH FROM ts) * 1000 AS ms
       FROM events WHERE order_id = ANY($1) ORDER BY id`,
    [ids],
  );
  const { rows: states } = await db.query<{ id: string; state: string }>(`SELECT id, state FROM orders WHERE id = ANY($1)`, [ids]);
  return chosen.map((m) => ({
    orderId: m.orderId,
    state: states.find((r) => r.id === m.orderId)?.state ?? null,
    latencyMs: m.latencyMs,
    events: rows.filter((r) => r.order_id === m.orderId).map((r) => `${r.what} +${((Number(r.ms) - m.postedAt) / 1000).toFixed(1)}s`),
  }));
}

/** The bare baseline, started with the Temporal client; completion when the client sees the result. */
export async function bareDriver(address: string, options: { local: boolean; reviewMs: number }): Promise<Driver> {
  const connection = await Connection.connect({ address });
  const client = new TemporalClient({ connection });
  const done = new Map<string, number | null>();
  // Waits for results still pending at close are aborted first (a closed channel's retry would throw out of band).
  const closing = new AbortController();
  setMaxListeners(0, closing.signal); // one listener per workflow awaited
  const waiting = new Set<Promise<unknown>>();
  return {
    async offer(orderId) {
      const input: BareOrderInput = { orderId, reviewMs: options.reviewMs, local: options.local };
      const handle = await client.workflow.start('BareOrderWorkflow', {
        taskQueue: BARE_ORDERS_QUEUE,
        workflowId: orderId,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      const wait = client
        .withAbortSignal(closing.signal, () => handle.result())
        .then(
          () => done.set(orderId, Date.now()),
          () => (closing.signal.aborted ? undefined : done.set(orderId, null)),
        )
        .finally(() => waiting.delete(wait));
      waiting.add(wait);
      return { outcome: 'accepted' };
    },
    async terminal(orderIds) {
      return new Map(orderIds.filter((id) => done.has(id)).map((id) => [id, done.get(id) ?? null]));
    },
    async close() {
      closing.abort();
      await Promise.all(waiting);
      await connection.close();
    },
  };
}
