/** `npm run bench -- [options]`: the command line, checked. */

export const STEPS = ['ladder', 'burst', 'reads', 'faults', 'overload', 'scale-out'] as const;
export type StepName = (typeof STEPS)[number];
export const VARIANTS = ['bare-remote', 'bare-local', 'default', 'seed', 'deadline'] as const;
export type VariantName = (typeof VARIANTS)[number];

export interface BenchOptions {
  quick: boolean;
  only: StepName[];
  variants: VariantName[];
  /** Ladder rungs, orders/s. */
  rates: number[];
  /** Where the default mode's ladder starts (the others start next to its capacity when known, else here too). */
  startRate: number;
  /**
   * Whether the ratio's two ladders may start higher than that once their warm-up has shown what an
   * order costs (stats.ts calibratedStart); off when --start is given, so a chosen start is kept.
   */
  calibrateStart: boolean;
  /** Seconds per rung: long enough for a backlog that grows to show in the latency (stats.ts latencyGrowth). */
  stepS: number;
  /** Rungs to run past the first miss (0: stop there; the rungs are 1/s apart near the capacities). */
  afterMiss: number;
  burst: number;
  /** Seconds from the start of the run past which ladders stop climbing (shared out, see bench.ts); the rest of the run follows, ~200 s. */
  budgetS: number;
  /** Capacity to use for the faults and overload steps when the ladder does not run. */
  capacity: number | null;
  /** The scale-out step: orders in each burst, and how long one carrier call takes. */
  scaleOut: { orders: number; carrierLatencyMs: number; workerCounts: number[] };
  /** Where the JSON and the chart go (default bench/results) and the doc (default docs/benchmarks.md; "none" for none). */
  outDir: string | null;
  doc: string | null;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only ladder,burst,reads,faults,overload,scale-out] [--variants bare-remote,bare-local,default,seed,deadline]
         [--rates 1,2,3,4,5,6,8,10,12,14,16,18,20,22,24,28,32] [--start 10] [--step-s 20] [--after-miss 0] [--burst 100] [--budget-s 260] [--capacity N]
         [--scale-out-orders 12] [--carrier-ms 3000]
         [--out bench/results] [--doc docs/benchmarks.md|none]`;

const list = <T extends string>(flag: string, value: string, allowed: readonly T[]): T[] => {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new Error(`${flag}: give at least one of ${allowed.join(', ')}`);
  for (const item of items)
    if (!allowed.includes(item as T)) throw new Error(`${flag}: unknown value "${item}" (one of ${allowed.join(', ')})`);
  return items as T[];
};

const positive = (flag: string, value: string | undefined, { integer = false } = {}): number => {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag}: must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value ?? null)}`);
  }
  return n;
};

export function parseArgs(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    quick,
    only: [...STEPS],
    variants: [...VARIANTS],
    // Finer near where the capacities sit (8-16/s on the reference machine), 1/s apart there.
    rates: [1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 28, 32],
    startRate: 10,
    calibrateStart: true,
    // 20 s rungs: a backlog that grows shows in the last third's latency (a 15 s rung hid one, ADR 032).
    stepS: quick ? 10 : 20,
    afterMiss: 0,
    burst: quick ? 30 : 100,
    // The full run's time arithmetic is in bench.ts (ladderDeadline): ~480-520 s in all with 250.
    budgetS: quick ? 150 : 260,
    capacity: null,
    scaleOut: { orders: quick ? 8 : 12, carrierLatencyMs: quick ? 2_000 : 3_000, workerCounts: [1, 2, 4] },
    outDir: null,
    doc: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--quick') continue;
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag}: needs a value\n${USAGE}`);
    i++;
    if (flag === '--only') options.only = list(flag, value, STEPS);
    else if (flag === '--variants') options.variants = list(flag, value, VARIANTS);
    else if (flag === '--rates')
      options.rates = value
        .split(',')
        .map((r) => positive('--rates', r))
        .sort((a, b) => a - b);
    else if (flag === '--start') {
      options.startRate = positive(flag, value);
      options.calibrateStart = false;
    } else if (flag === '--step-s') options.stepS = positive(flag, value);
    else if (flag === '--after-miss') {
      options.afterMiss = Number(value);
      if (!Number.isInteger(options.afterMiss) || options.afterMiss < 0)
        throw new Error(`--after-miss: must be a whole number >= 0, got ${JSON.stringify(value)}`);
    } else if (flag === '--burst') options.burst = positive(flag, value, { integer: true });
    else if (flag === '--budget-s') options.budgetS = positive(flag, value);
    else if (flag === '--capacity') options.capacity = positive(flag, value);
    else if (flag === '--scale-out-orders') options.scaleOut.orders = positive(flag, value, { integer: true });
    else if (flag === '--carrier-ms') options.scaleOut.carrierLatencyMs = positive(flag, value, { integer: true });
    else if (flag === '--out') options.outDir = value;
    else if (flag === '--doc') options.doc = value;
    else throw new Error(`unknown argument ${flag}\n${USAGE}`);
  }
  return options;
}
