/**
 * The scale-out step: does adding shipping workers add shipping throughput?
 *
 * One stack with a carrier that takes `carrierLatencyMs` per call and shipping
 * workers of one slot each (tools/stack `slowShippingEnv`), so shipping is the
 * bottleneck while the order-worker and the Temporal server stay far from
 * theirs. For each worker count the same burst of orders is posted at once
 * and followed as a client would (POST, then GET /orders/:id until the order
 * ends); meanwhile the shipping-tq activity backlog is sampled every second and
 * the CPU of every process is read from /proc.
 *
 * Shipping throughput = shipments / (end of the last carrier call - start of
 * the first), with the starts from the shipping workflows' histories and the
 * ends from the carrier's ledger.
 */
import { Client as TemporalClient, Connection } from '@temporalio/client';
import type { Client as PgClient } from 'pg';
import { SHIPPING_TASK_QUEUE, isTerminalState } from '@order-fulfillment/contracts';
import { carrierCallStarts, harnessDb, shippingWorkerInstances, slowShippingEnv, startIsolatedStack } from '@order-fulfillment/stack';
import type { InstanceName, Stack } from '@order-fulfillment/stack';
import { readTrees } from './proc';
import { percentile } from './stats';

export interface ScaleOutOptions {
  /** Shipping worker counts to measure, in order (default 1, 2, 4). */
  workerCounts: number[];
  /** Orders in each burst. */
  orders: number;
  carrierLatencyMs: number;
  log: (line: string) => void;
}

export interface ScaleOutRun {
  workers: number;
  orders: number;
  completed: number;
  /** Shipments per second while shipping was busy. */
  shippingPerSecond: number;
  /** POST → the client sees `completed`, ms. */
  endToEndMs: { p50: number | null; p95: number | null; max: number | null };
  /** shipping-tq activity backlog, sampled every second from the burst. */
  backlog: Array<{ atMs: number; tasks: number }>;
  /** CPU used during the burst, as a share of one core over its wall time (1 = one core busy). */
  cpuCores: { temporal: number; orderWorker: number; shippingWorkers: number; api: number };
  seconds: number;
}

export interface ScaleOutResult {
  carrierLatencyMs: number;
  slotsPerWorker: 1;
  runs: ScaleOutRun[];
  /** Throughput with the most workers ÷ with one. */
  ratio: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Shipments ÷ the span from the first carrier call's start to the last one's end. */
export function shippingThroughput(starts: readonly number[], ends: readonly number[]): number {
  if (!starts.length || !ends.length) return 0;
  const span = (Math.max(...ends) - Math.min(...starts)) / 1000;
  return span > 0 ? ends.length / span : 0;
}

async function setShippingWorkers(stack: Stack, count: number, max: number, log: (line: string) => void): Promise<void> {
  const all = shippingWorkerInstances(max);
  for (const name of all.slice(count)) if (stack.processes.get(name)?.child.exitCode === null) await stack.stopApp(name);
  for (const name of all.slice(0, count)) {
    const app = stack.processes.get(name);
    if (!app || app.child.exitCode !== null || app.child.signalCode !== null) await stack.startApp(name);
  }
  log(`[scale-out] ${count} shipping worker(s) running`);
}

async function backlogOf(temporal: TemporalClient): Promise<number> {
  const response = await temporal.connection.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: SHIPPING_TASK_QUEUE },
    taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
    reportStats: true,
  });
  return Number(response.stats?.approximateBacklogCount ?? 0);
}

/** Posts the burst, follows every order through the API until it ends, and returns POST → completed times. */
async function burst(apiUrl: string, ids: readonly string[]): Promise<{ completedMs: number[]; completed: number }> {
  const results = await Promise.all(
    ids.map(async (orderId) => {
      const postedAt = Date.now();
      const response = await fetch(`${apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderId, paymentId: `pay-${orderId}` }),
      });
      if (response.status !== 201) throw new Error(`POST /orders ${orderId}: ${response.status} ${await response.text()}`);
      for (;;) {
        await sleep(250);
        const view = (await (await fetch(`${apiUrl}/orders/${orderId}`)).json()) as { state: string };
        if (isTerminalState(view.state as never)) return view.state === 'completed' ? Date.now() - postedAt : null;
      }
    }),
  );
  const completedMs = results.filter((ms): ms is number => ms !== null);
  return { completedMs, completed: completedMs.length };
}

async function carrierCalls(temporal: TemporalClient, db: PgClient, ids: readonly string[]): Promise<{ starts: number[]; ends: number[] }> {
  const starts = (await carrierCallStarts(temporal, ids)).map((s) => s.at);
  const { rows } = await db.query<{ at: Date }>(`SELECT created_at AS at FROM sandbox.carrier_shipments WHERE order_id = ANY($1)`, [ids]);
  return { starts, ends: rows.map((r) => r.at.getTime()) };
}

export async function runScaleOut(options: ScaleOutOptions): Promise<ScaleOutResult> {
  const { log } = options;
  const max = Math.max(...options.workerCounts);
  log(`[scale-out] starting a stack: up to ${max} shipping workers, 1 slot each, carrier ${options.carrierLatencyMs} ms per call`);
  const running = await startIsolatedStack(
    'scale-out',
    { AUTH_DISABLED: 'true', ...slowShippingEnv(options.carrierLatencyMs) },
    { shippingWorkers: max },
  );
  const { stack } = running;
  const db = await harnessDb(stack.databaseUrl);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new TemporalClient({ connection });
  const runs: ScaleOutRun[] = [];
  try {
    for (const workers of options.workerCounts) {
      await setShippingWorkers(stack, workers, max, log);
      const ids = Array.from({ length: options.orders }, (_, i) => `scale-${workers}w-${i + 1}-${Date.now().toString(36)}`);
      const pidOf = (name: InstanceName): number | null => stack.processes.get(name)?.child.pid ?? null;
      const roots: Record<string, number | null> = {
        temporal: stack.temporal?.process.child.pid ?? null,
        orderWorker: pidOf('order-worker'),
        api: pidOf('api'),
        ...Object.fromEntries(shippingWorkerInstances(workers).map((name) => [name, pidOf(name)])),
      };
      // CPU seconds of each process tree (the Temporal CLI's includes its server).
      const cpu = () => {
        const trees = readTrees(roots);
        const of = (name: string) => trees[name]?.cpuSeconds ?? 0;
        return {
          temporal: of('temporal'),
          orderWorker: of('orderWorker'),
          api: of('api'),
          shippingWorkers: shippingWorkerInstances(workers).reduce((sum, name) => sum + of(name), 0),
        };
      };
      const before = cpu();
      const started = Date.now();
      const backlog: ScaleOutRun['backlog'] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          backlog.push({ atMs: Date.now() - started, tasks: await backlogOf(temporal).catch(() => -1) });
          await sleep(1_000);
        }
      })();
      log(`[scale-out] ${workers} worker(s): ${ids.length} orders at once ...`);
      const { completedMs, completed } = await burst(stack.apiUrl, ids).finally(() => (sampling = false));
      await sampler;
      const wallSeconds = (Date.now() - started) / 1000;
      const after = cpu();
      const { starts, ends } = await carrierCalls(temporal, db, ids);
      const cores = (used: number) => Number((used / wallSeconds).toFixed(3));
      const run: ScaleOutRun = {
        workers,
        orders: ids.length,
        completed,
        shippingPerSecond: Number(shippingThroughput(starts, ends).toFixed(3)),
        endToEndMs: {
          p50: percentile(completedMs, 50),
          p95: percentile(completedMs, 95),
          max: completedMs.length ? Math.max(...completedMs) : null,
        },
        backlog,
        cpuCores: {
          temporal: cores(after.temporal - before.temporal),
          orderWorker: cores(after.orderWorker - before.orderWorker),
          shippingWorkers: cores(after.shippingWorkers - before.shippingWorkers),
          api: cores(after.api - before.api),
        },
        seconds: Number(wallSeconds.toFixed(1)),
      };
      log(
        `[scale-out] ${workers} worker(s): ${run.shippingPerSecond}/s shipped, ${completed}/${ids.length} completed, p50 ${run.endToEndMs.p50} ms, p95 ${run.endToEndMs.p95} ms, ` +
          `peak backlog ${Math.max(0, ...backlog.map((b) => b.tasks))}, CPU cores: temporal ${run.cpuCores.temporal}, order-worker ${run.cpuCores.orderWorker}, shipping ${run.cpuCores.shippingWorkers}`,
      );
      runs.push(run);
    }
  } finally {
    await connection.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    await running.stop();
  }
  const one = runs.find((r) => r.workers === 1);
  const most = runs.reduce<ScaleOutRun | null>((best, r) => (best && best.workers >= r.workers ? best : r), null);
  const ratio = one && most && one.shippingPerSecond > 0 ? Number((most.shippingPerSecond / one.shippingPerSecond).toFixed(2)) : null;
  return { carrierLatencyMs: options.carrierLatencyMs, slotsPerWorker: 1, runs, ratio };
}
