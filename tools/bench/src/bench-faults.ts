/**
 * `npm run bench:faults`: N orders (default 200), posted at once through the
 * real stack with the exercise's fault model on every external call
 * (FAULT_PRESET=exercise: 1/3 errors, 1/3 hangs of 300 s), once per retry mode.
 * Reports, to stdout and bench/results/faults.json:
 *   - share of orders completed within 15 s (orders.created_at -> updated_at of `completed`),
 *   - p50/p95/p99 completion time,
 *   - double charges (an order with two payment rows, or a payment charged twice),
 *   - orders not terminal 40 s after they were posted.
 * Usage: node tools/bench/dist/bench-faults.js [--orders 200] [--modes seed,deadline] [--seed 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { isTerminalState } from '@order-fulfillment/contracts';
import { repoRoot } from '@order-fulfillment/infra';
import { startIsolatedStack } from '@order-fulfillment/stack';
import { percentile, share } from './stats';

const DEADLINE_MS = 15_000;
const TERMINAL_WITHIN_MS = 40_000;

interface Options {
  orders: number;
  modes: string[];
  seed: number;
  /** `exercise` (the point of this benchmark) or `off` (a baseline). */
  faults: 'exercise' | 'off';
}

function parseArgs(argv: string[]): Options {
  const options: Options = { orders: 200, modes: ['seed', 'deadline'], seed: 1, faults: 'exercise' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--orders') options.orders = Number(value);
    else if (flag === '--modes') options.modes = (value ?? '').split(',').filter(Boolean);
    else if (flag === '--seed') options.seed = Number(value);
    else if (flag === '--faults' && (value === 'exercise' || value === 'off')) options.faults = value;
    else {
      console.error(`bench:faults: unknown argument ${flag}\nusage: bench-faults [--orders N] [--modes seed,deadline] [--seed N] [--faults exercise|off]`);
      process.exit(2);
    }
    i++;
  }
  if (!Number.isInteger(options.orders) || options.orders < 1) throw new Error('--orders: must be a positive integer');
  for (const mode of options.modes) if (!['seed', 'deadline'].includes(mode)) throw new Error(`--modes: unknown mode ${mode}`);
  return options;
}

interface ModeResult {
  retryMode: string;
  hedging: boolean;
  orders: number;
  accepted: number;
  completedWithinDeadline: number;
  completedWithinDeadlineShare: number;
  completionMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  byState: Record<string, number>;
  failureReasons: Record<string, number>;
  doubleCharges: number;
  paymentsCharged: number;
  paymentsRefunded: number;
  notTerminalAfter40s: number;
  /** Median time spent reaching each state from the previous one, completed orders only. */
  medianStepMs: Record<string, number | null>;
  wallSeconds: number;
}

async function runMode(mode: string, options: Options): Promise<ModeResult> {
  const running = await startIsolatedStack(`bench_${mode}`, {
    FAULT_PRESET: options.faults,
    FAULT_SEED: String(options.seed),
    RETRY_MODE: mode,
    LOG_LEVEL: 'error',
    DATABASE_POOL_SIZE: '30',
    // One client posting every order at once, on an isolated stack: no key, no rate limit, and
    // no admission control (this measures the faults, not overload: every order must start).
    AUTH_DISABLED: 'true',
    RATE_LIMIT_MAX: '0',
    ADMISSION_MAX_IN_FLIGHT: 'off',
  });
  const { stack } = running;
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const run = Date.now().toString(36);
    const ids = Array.from({ length: options.orders }, (_, i) => `bench-${mode}-${run}-${i}`);
    const started = Date.now();
    process.stdout.write(`[${mode}] posting ${ids.length} orders at once ... `);
    const statuses = await Promise.all(
      ids.map(async (orderId) => {
        const response = await fetch(`${stack.apiUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ orderId, paymentId: `pmt-${orderId}` }),
        });
        return response.status;
      }),
    );
    const postedAt = Date.now();
    const accepted = statuses.filter((s) => s === 201).length;
    process.stdout.write(`${accepted} accepted in ${postedAt - started} ms\n`);

    // Wait until every order is terminal, or 40 s have passed since the last post.
    const giveUpAt = postedAt + TERMINAL_WITHIN_MS;
    let terminal = 0;
    while (Date.now() < giveUpAt) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND state IN ('completed','cancelled','failed')`,
        [ids],
      );
      terminal = rows[0]?.n ?? 0;
      if (process.stdout.isTTY) process.stdout.write(`\r[${mode}] terminal ${terminal}/${ids.length} after ${((Date.now() - postedAt) / 1000).toFixed(0)} s   `);
      if (terminal === ids.length) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    process.stdout.write('\n');
    const wallSeconds = (Date.now() - started) / 1000;

    const { rows: orders } = await db.query<{ id: string; state: string; ms: number; reason: string | null }>(
      `SELECT o.id, o.state, EXTRACT(EPOCH FROM (o.updated_at - o.created_at)) * 1000 AS ms,
              (SELECT e.payload->>'reason' FROM events e WHERE e.order_id = o.id AND e.type = 'transition'
                 AND e.payload->>'state' IN ('failed','cancelled') ORDER BY e.id DESC LIMIT 1) AS reason
         FROM orders o WHERE o.id = ANY($1)`,
      [ids],
    );
    const completed = orders.filter((o) => o.state === 'completed').map((o) => Number(o.ms));
    const byState: Record<string, number> = {};
    const failureReasons: Record<string, number> = {};
    for (const o of orders) {
      byState[o.state] = (byState[o.state] ?? 0) + 1;
      if (o.state === 'failed') failureReasons[o.reason ?? 'unknown'] = (failureReasons[o.reason ?? 'unknown'] ?? 0) + 1;
    }
    const missing = ids.length - orders.length;
    if (missing) byState['(no row)'] = missing;

    const { rows: doubles } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT order_id FROM payments WHERE order_id = ANY($1) GROUP BY order_id HAVING count(*) > 1
         UNION ALL
         SELECT payload->>'paymentId' FROM events WHERE order_id = ANY($1) AND type = 'payment_charged'
           GROUP BY payload->>'paymentId' HAVING count(*) > 1) d`,
      [ids],
    );
    const { rows: payments } = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM payments WHERE order_id = ANY($1) GROUP BY status`,
      [ids],
    );
    const paid = (status: string) => payments.find((p) => p.status === status)?.n ?? 0;
    const { rows: steps } = await db.query<{ state: string; ms: number }>(
      `SELECT state, EXTRACT(EPOCH FROM (ts - prev)) * 1000 AS ms FROM (
         SELECT e.payload->>'state' AS state, e.ts, lag(e.ts) OVER (PARTITION BY e.order_id ORDER BY e.id) AS prev
           FROM events e JOIN orders o ON o.id = e.order_id
          WHERE e.order_id = ANY($1) AND e.type = 'transition' AND o.state = 'completed') t
        WHERE prev IS NOT NULL`,
      [ids],
    );
    const medianStepMs: Record<string, number | null> = {};
    for (const state of ['validated', 'in_review', 'paid', 'shipping', 'completed']) {
      medianStepMs[state] = round(percentile(steps.filter((r) => r.state === state).map((r) => Number(r.ms)), 50));
    }
    const within = completed.filter((ms) => ms <= DEADLINE_MS).length;
    return {
      retryMode: mode,
      hedging: mode === 'deadline',
      orders: ids.length,
      accepted,
      completedWithinDeadline: within,
      completedWithinDeadlineShare: share(within, ids.length),
      completionMs: {
        p50: round(percentile(completed, 50)),
        p95: round(percentile(completed, 95)),
        p99: round(percentile(completed, 99)),
        max: round(completed.length ? Math.max(...completed) : null),
      },
      byState,
      failureReasons,
      doubleCharges: doubles[0]?.n ?? 0,
      paymentsCharged: paid('charged'),
      paymentsRefunded: paid('refunded'),
      notTerminalAfter40s: ids.length - orders.filter((o) => isTerminalState(o.state)).length,
      medianStepMs,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
    };
  } finally {
    await db.end();
    const keepLogs = process.env['BENCH_KEEP_LOGS'] === '1';
    await running.stop({ keepLogs });
    if (keepLogs) console.log(`[${mode}] logs kept in ${running.logsDir}`);
  }
}

const round = (value: number | null): number | null => (value === null ? null : Math.round(value));

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const results: ModeResult[] = [];
  for (const mode of options.modes) results.push(await runMode(mode, options));
  const report = {
    benchmark: 'faults',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    faults: options.faults === 'exercise' ? { preset: 'exercise', errorRate: 1 / 3, hangRate: 1 / 3, hangMs: 300_000, seed: options.seed } : { preset: 'off' },
    deadlineMs: DEADLINE_MS,
    results,
  };
  const outDir = join(repoRoot(), 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'faults.json');
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nmode      orders  completed<=15s  p50 ms  p95 ms  p99 ms  double charges  not terminal@40s  states');
  for (const r of results) {
    console.log(
      `${r.retryMode.padEnd(9)} ${String(r.orders).padStart(6)}  ${`${(r.completedWithinDeadlineShare * 100).toFixed(1)} %`.padStart(14)}  ${String(r.completionMs.p50).padStart(6)}  ${String(r.completionMs.p95).padStart(6)}  ${String(r.completionMs.p99).padStart(6)}  ${String(r.doubleCharges).padStart(14)}  ${String(r.notTerminalAfter40s).padStart(16)}  ${JSON.stringify(r.byState)}`,
    );
  }
  console.log(`\nwritten to ${outFile}`);
}

main().catch((err: unknown) => {
  console.error(`bench:faults: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
