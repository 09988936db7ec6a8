/**
 * Scale-in under load: four shipping workers, a slow carrier (so shipping
 * activities are in flight on every worker), a burst of orders; once every
 * worker has dispatched, three of them are stopped as a scale-in or a rollout
 * stops a pod (SIGTERM: stop polling, finish in-flight tasks within the grace
 * time). The one left must finish the rest: no order lost, none dispatched
 * twice (the invariant checker), and the histories show who dispatched what.
 */
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import type { Client as PgClient } from 'pg';
import { waitFor } from '@order-fulfillment/infra';
import { planOrders, seededRandom } from '@order-fulfillment/invariants';
import { carrierCallStarts, shippingWorkerInstances, slowShippingEnv, startIsolatedStack } from '@order-fulfillment/stack';
import type { InstanceName } from '@order-fulfillment/stack';
import { judge, notTerminal, postOrders, settle } from './orders';
import type { FaultVerdict } from './orders';

export interface ScaleInOptions {
  orders: number;
  /** Shipping workers before the scale-in; one is left after it. */
  workers: number;
  /** How long one carrier call takes (SANDBOX_CARRIER_LATENCY_MS). */
  carrierLatencyMs: number;
  seed: number;
  settleMs: number;
  log: (line: string) => void;
}

export interface ScaleInRun extends FaultVerdict {
  /** Dispatches (DispatchCarrier attempts that started) per shipping worker instance. */
  dispatchesByWorker: Record<string, number>;
  /** Dispatches that started on a stopped worker after it was told to stop. */
  dispatchesAfterStop: number;
  /** Shipments booked at the carrier; one per completed order when nothing ships twice. */
  shipments: number;
  /** Orders not terminal when the workers were stopped. */
  inFlightAtStop: number;
  /** Exit of each stopped worker (0: it drained and stopped cleanly). */
  stoppedExits: Record<string, number | string>;
  seconds: number;
}

export async function runScaleIn(options: ScaleInOptions): Promise<ScaleInRun> {
  const { log } = options;
  const started = Date.now();
  log(`[shipping-scale-in] starting the stack with ${options.workers} shipping workers (1 slot each, carrier ${options.carrierLatencyMs} ms per call) ...`);
  const running = await startIsolatedStack('scale-in', { AUTH_DISABLED: 'true', ALLOW_FAULT_INJECTION: 'true', ...slowShippingEnv(options.carrierLatencyMs) }, {
    shippingWorkers: options.workers,
    embeddedPostgres: false,
    log: (line) => log(`[stack] ${line}`),
  });
  const { stack } = running;
  const pool = new Pool({ connectionString: stack.databaseUrl, max: 3 });
  pool.on('error', () => undefined); // an idle connection cut (the stack stopped by an interrupt)
  const db = pool as unknown as PgClient;
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new TemporalClient({ connection });
  try {
    const instances = shippingWorkerInstances(options.workers);
    const pids = new Map<string, InstanceName>(instances.map((name) => [`${stack.processes.get(name)?.child.pid}@`, name]));
    const workerOf = (identity: string): string => [...pids].find(([prefix]) => identity.startsWith(prefix))?.[1] ?? identity;
    const plans = planOrders(seededRandom(options.seed), options.orders, `scale-in-${options.seed}`).map((p) => ({
      ...p,
      faults: { errorRate: 0, hangRate: 0 },
      messages: [],
    }));
    const ids = plans.map((p) => p.orderId);
    log(`[shipping-scale-in] posting ${plans.length} orders at once ...`);
    const outcomes = await postOrders({ apiUrl: stack.apiUrl }, plans, 1_000);
    const problems = outcomes.filter((o) => !o.accepted).map((o) => `order ${o.orderId} not accepted (${o.status}: ${o.error ?? ''})`);

    // Scale in once every worker has dispatched at least once: each has (or just had) a call in flight.
    await waitFor(
      'every shipping worker dispatching',
      async () => {
        const byWorker = new Set((await carrierCallStarts(temporal, ids)).map((s) => workerOf(s.identity)));
        return instances.every((name) => byWorker.has(name));
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sandbox.carrier_shipments WHERE order_id = ANY($1)`, [ids]);
    const inFlightAtStop = await notTerminal(db, ids);
    const leaving = instances.slice(1);
    log(`[shipping-scale-in] ${rows[0]?.n ?? 0}/${ids.length} shipped, ${inFlightAtStop} in flight; stopping ${leaving.join(', ')} (SIGTERM) ...`);
    const stopAt = Date.now();
    const exits = await Promise.all(leaving.map(async (name) => [name, await stack.stopApp(name)] as const));
    const stoppedExits = Object.fromEntries(exits);
    log(`[shipping-scale-in] stopped in ${Date.now() - stopAt} ms: ${JSON.stringify(stoppedExits)}; one shipping worker left`);

    const settled = await settle(db, temporal, ids, options.settleMs);
    log(`[shipping-scale-in] settled in ${(settled.ms / 1000).toFixed(1)} s (not terminal: ${settled.notTerminal}); checking ...`);
    const starts = await carrierCallStarts(temporal, ids);
    const dispatchesByWorker: Record<string, number> = {};
    for (const s of starts) dispatchesByWorker[workerOf(s.identity)] = (dispatchesByWorker[workerOf(s.identity)] ?? 0) + 1;
    // A stopped worker stops polling at once: whatever it starts later was never handed to it.
    const dispatchesAfterStop = starts.filter((s) => leaving.includes(workerOf(s.identity) as InstanceName) && s.at > stopAt + 1_000).length;
    const shipments = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sandbox.carrier_shipments WHERE order_id = ANY($1)`, [ids])).rows[0]?.n ?? 0;
    for (const [name, exit] of exits) if (exit !== 0) problems.push(`${name} did not stop cleanly (exit ${exit})`);
    const verdict = await judge('shipping-scale-in', db, temporal, outcomes.filter((o) => o.accepted).map((o) => o.orderId), problems);
    return { ...verdict, dispatchesByWorker, dispatchesAfterStop, shipments, inFlightAtStop, stoppedExits, seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    await connection.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await running.stop();
  }
}
