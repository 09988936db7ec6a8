import type { BenchReport, VariantResult } from './bench';
import { ratioCaveat, renderDoc, resultsJson, saturation, serverWorkSection } from './report';
import type { StepResult } from './run';

const step = (rate: number, withinSloShare: number, cpu: Record<string, number>, extra: Partial<StepResult> = {}): StepResult => ({
  kind: 'ladder',
  rate,
  durationS: 20,
  offered: rate * 20,
  accepted: rate * 20,
  refused: 0,
  errors: 0,
  completed: rate * 20,
  withinSlo: Math.round(rate * 20 * withinSloShare),
  withinSloShare,
  withinSloShareOfAccepted: withinSloShare,
  latencyMs: { p50: 3_000, p95: 5_000, p99: withinSloShare < 0.99 ? null : 6_000, max: 9_000 },
  goodput: rate * withinSloShare,
  wallS: 25,
  usage: Object.fromEntries(
    Object.entries(cpu).map(([name, s]) => [
      name,
      { cpuSeconds: s, peakRssMb: 100, cpuSecondsPerOrder: s / (rate * 20), cpuShareOfMachine: s / 50 },
    ]),
  ),
  clientCpuSeconds: 1,
  otherCpuSeconds: 2,
  orderIds: [],
  missedOrders: [],
  backlogAtStart: 0,
  ...extra,
});

const variant = (ladder: StepResult[]): VariantResult => ({
  name: 'system seed (default)',
  kind: 'system',
  retryMode: 'seed',
  isDefault: true,
  activities: 'per policy',
  ladder,
  capacityAtSlo: 3,
  burst: null,
  reads: null,
  overload: null,
  faults: null,
  startupS: 10,
});

describe('saturation', () => {
  it('reads the first missed rung: saturated CPUs and the largest consumer', () => {
    // 2 CPUs x 25 s = 50 CPU seconds; 30 + 10 + 3 + 1 + 2 = 46 busy (92 %)
    const text = saturation(variant([step(3, 1, { temporal: 5 }), step(4, 0.5, { temporal: 30, 'order-worker': 10, postgres: 3 })]), 2);
    expect(text).toContain('at 4/s, the first rate that missed the SLO');
    expect(text).toContain('saturated (92.0 % busy), temporal the largest consumer');
    expect(text).toContain('temporal 60.0 %, order-worker 20.0 %, postgres 6.0 %');
  });
  it('blames work outside the bench when that is what filled the machine, and projects the CPU-bound rate', () => {
    // 5 + 1 (client) + 40 (other) = 46 of 50 CPU seconds; 80 orders, temporal 5 s -> 0.0625 s per order -> 2 / 0.0625 = 32/s
    const text = saturation(variant([step(4, 0.5, { temporal: 5 }, { otherCpuSeconds: 40 })]), 2);
    expect(text).toContain('mostly by work outside the bench (80.0 %)');
    expect(text).toContain('used 0.063 CPU s per order');
    expect(text).toContain('would run out near 32.0 orders/s');
  });
  it('names a rung that failed by growth as such, though its orders were in time', () => {
    const grew = step(
      16,
      1,
      { temporal: 30 },
      { latencyFirstThirdP50Ms: 3_200, latencyLastThirdP50Ms: 9_800, sustained: false, throughput: 10.1 },
    );
    const text = saturation(variant([step(12, 1, { temporal: 5 }, { sustained: true }), grew]), 2);
    expect(text).toContain(
      'at 16/s, the first rate that missed the SLO (100.0 % within 15 s, but latency grew from 3.2 s to 9.8 s across the rung: the backlog was growing)',
    );
    // A share miss that also grew says both; a last third that never completed is beyond the window.
    const both = step(20, 0.6, { temporal: 30 }, { latencyFirstThirdP50Ms: 4_000, latencyLastThirdP50Ms: null, sustained: false });
    expect(saturation(variant([both]), 2)).toContain(
      '(60.0 % within 15 s, and latency grew from 4.0 s to > window across the rung: the backlog was growing)',
    );
  });
  it('counts a step from before the sustained check as judged on its share alone', () => {
    const text = saturation(variant([step(3, 1, { temporal: 5 }), step(4, 1, { temporal: 5 })]), 2);
    expect(text).toContain('at 4/s, the highest rate run (none missed the SLO)');
  });
  it('says when the CPUs were not the limit, and when nothing missed', () => {
    const text = saturation(variant([step(3, 1, { temporal: 5 })]), 2);
    expect(text).toContain('at 3/s, the highest rate run (none missed the SLO)');
    expect(text).toContain('not saturated');
  });
});

describe('renderDoc', () => {
  const report = {
    benchmark: 'bench',
    date: '2026-11-27T04:00:00.000Z',
    quick: false,
    options: {
      quick: false,
      only: ['ladder'],
      variants: ['default'],
      rates: [2, 3, 4],
      startRate: 3,
      calibrateStart: true,
      stepS: 20,
      afterMiss: 1,
      burst: 100,
      budgetS: 400,
      capacity: null,
      scaleOut: { orders: 12, carrierLatencyMs: 3_000, workerCounts: [1, 2, 4] },
    },
    sloMs: 15_000,
    sloShare: 0.99,
    defaultRetryMode: 'seed',
    reviewMs: 2_000,
    machine: { cpus: 2, cpuModel: 'x', memoryGiB: 24, node: 'v20', temporalCli: 'temporal version 1.9.1', loadAverageAtStart: [8, 6, 4] },
    ratio: 0.75,
    variants: [variant([step(3, 1, { temporal: 5 }), step(4, 0.5, { temporal: 30 })])],
    wallS: 500,
    budgetCut: [],
    otherLoadShare: 0.4,
  } as BenchReport;
  const doc = renderDoc(report, { chartPath: '../bench/results/2026-11-27.svg', jsonPath: 'bench/results/2026-11-27.json' });
  it('has the headline, the chart, the machine (flagged as loaded), the method, the figures and how to reproduce', () => {
    expect(doc).toContain('**ratio = 0.75**');
    expect(doc).toContain('![latency and goodput against offered rate](../bench/results/2026-11-27.svg)');
    expect(doc).toContain('**The machine was shared while this ran** (other work used 40.0 %');
    for (const heading of ['## Method', '## What saturates first', '## Figures', '## How to reproduce']) expect(doc).toContain(heading);
    expect(doc).toContain('| 4/s | 80 | 80 | 50.0 % | 3.0 s | 5.0 s | > window |');
  });
  it('has the shipping scale-out section, with the factor over one worker and its chart, when the step ran', () => {
    const run = (workers: number, rate: number) => ({
      workers,
      orders: 12,
      completed: 12,
      shippingPerSecond: rate,
      endToEndMs: { p50: 9_000, p95: 20_000, max: 21_000 },
      backlog: [
        { atMs: 1_000, tasks: 9 },
        { atMs: 2_000, tasks: 5 },
      ],
      cpuCores: { temporal: 0.1, orderWorker: 0.05, shippingWorkers: 0.02, api: 0.03 },
      seconds: 40,
    });
    const withScaleOut = renderDoc(
      { ...report, scaleOut: { carrierLatencyMs: 3_000, slotsPerWorker: 1, runs: [run(1, 0.3), run(4, 1.2)], ratio: 4 } },
      { chartPath: '../bench/results/2026-11-27.svg', jsonPath: 'j.json' },
    );
    expect(withScaleOut).toContain('## Shipping scale-out');
    expect(withScaleOut).toContain('| 4 | 1.2 | 4.00× | 12/12 | 9.0 s | 20.0 s | 9 | 0.1 | 0.05 | 0.02 | 0.03 |');
    expect(withScaleOut).toContain('**4 workers ÷ 1: 4×.**');
    expect(withScaleOut).toContain('![shipping scale-out](../bench/results/2026-11-27-scale-out.svg)');
    expect(doc).not.toContain('## Shipping scale-out');
  });
  it('shows the first/last third p50 and the throughput per step, "—" for a step from before the check', () => {
    const sustained = step(
      3,
      1,
      { temporal: 5 },
      { latencyFirstThirdP50Ms: 2_600, latencyLastThirdP50Ms: 2_700, sustained: true, throughput: 2.7 },
    );
    const grew = step(
      4,
      1,
      { temporal: 5 },
      { latencyFirstThirdP50Ms: 3_000, latencyLastThirdP50Ms: 9_500, sustained: false, throughput: 2.9 },
    );
    const newDoc = renderDoc({ ...report, variants: [variant([sustained, grew])] }, { chartPath: 'c.svg', jsonPath: 'j.json' });
    expect(newDoc).toContain('| p99 | first/last third p50 | throughput (orders/s) | goodput (orders/s) |');
    expect(newDoc).toContain('| 3/s | 60 | 60 | 100.0 % | 3.0 s | 5.0 s | 6.0 s | 2.6 s / 2.7 s | 2.7 | 3 |');
    expect(newDoc).toContain('| 4/s | 80 | 80 | 100.0 % | 3.0 s | 5.0 s | 6.0 s | 3.0 s / 9.5 s, **grew** | 2.9 | 4 |');
    expect(newDoc).toContain('latency grew from 3.0 s to 9.5 s across the rung: the backlog was growing');
    expect(newDoc).not.toContain('predates the sustained check');
    // The fixture's steps have none of the new fields, like a results JSON from before them.
    expect(doc).toContain('| 3/s | 60 | 60 | 100.0 % | 3.0 s | 5.0 s | 6.0 s | — | — | 3 |');
    expect(doc).toContain('_This run predates the sustained check');
  });
  it('says in Method what sustained means, and the time arithmetic', () => {
    expect(doc).toContain('- **sustained**: a rung meets the SLO only if its latency did not grow across it');
    expect(doc).toContain('is at most the p50 of those offered in its first third + 1 s');
    expect(doc).toContain('≥ 99 % within 15 s and sustained');
    expect(doc).toContain('| variant | capacity at SLO (orders/s, ≥ 99 % within 15 s from POST, sustained) |');
    expect(doc).toContain('a rung takes its 20 s plus the latency of its last orders, about 23.5 s when it keeps up');
    expect(doc).toContain('so the ladders get ~320 s, ~13 rungs');
    expect(doc).toContain('400 + 30 + 170 ≈ 600 s. This run took 500 s.');
    expect(doc).toContain('stops 1 rung(s) after the first rung that misses the SLO');
    const stopsAtMiss = renderDoc({ ...report, options: { ...report.options, afterMiss: 0 } }, { chartPath: 'c.svg', jsonPath: 'j.json' });
    expect(stopsAtMiss).toContain('stops at the first rung that misses the SLO');
  });
  it('names how many order ids the reads step read, and leaves the count out for results that lost it', () => {
    const readsStep = { ...step(3, 1, { temporal: 5 }), kind: 'reads' as const };
    const autocannon = { connections: 10, durationS: 10, requestsPerSecond: 234, p50Ms: 36, p99Ms: 112, non2xx: 0, errors: 0 };
    const withReads = (orderIds?: number) =>
      renderDoc(
        {
          ...report,
          variants: [
            { ...variant([]), reads: { step: readsStep, autocannon: orderIds === undefined ? autocannon : { ...autocannon, orderIds } } },
          ],
        },
        { chartPath: 'c.svg', jsonPath: 'j.json' },
      );
    expect(withReads(10)).toContain('(autocannon, 10 connections, 10 s, 10 order ids): **234 requests/s, p99 112 ms**');
    const old = withReads(undefined);
    expect(old).toContain('(autocannon, 10 connections, 10 s): **234 requests/s');
    expect(old).not.toContain('undefined');
  });
  it("writes the results JSON without the steps' order id lists but with the reads' count of ids", () => {
    const readsStep = { ...step(3, 1, { temporal: 5 }), kind: 'reads' as const, orderIds: ['bench-a', 'bench-b'] };
    const autocannon = { connections: 10, durationS: 10, orderIds: 2, requestsPerSecond: 234, p50Ms: 36, p99Ms: 112, non2xx: 0, errors: 0 };
    const json = JSON.parse(
      resultsJson({ ...report, variants: [{ ...variant([readsStep]), reads: { step: readsStep, autocannon } }] }),
    ) as BenchReport;
    expect(json.variants[0]?.reads?.autocannon.orderIds).toBe(2);
    expect(json.variants[0]?.reads?.step).not.toHaveProperty('orderIds');
    expect(json.variants[0]?.ladder[0]).not.toHaveProperty('orderIds');
  });
  it("shows the Temporal server's work per order over each variant's ladder, and nothing for a run without the counts", () => {
    const work = { workflowTasks: 5.96, workflowTaskFailures: 0, activityTasks: 0, signals: 0, updates: 0.99, historyWrites: 16.89 };
    const counted = { ...report, variants: [{ ...variant([step(3, 1, { temporal: 6 }), step(4, 0.5, { temporal: 30 })]), ladderServerWork: work }] };
    const section = serverWorkSection(counted);
    expect(section[0]).toBe('## Temporal server work per order');
    // 60 + 80 orders; Temporal CPU (6 + 30) s over them.
    expect(section).toContain('| system seed (default) | 3, 4 (140 orders) | 5.96 | 0 | 0 | 0 | 0.99 | 16.89 | 0.257 |');
    expect(renderDoc(counted, { chartPath: 'c.svg', jsonPath: 'j.json' })).toContain('## Temporal server work per order');
    expect(serverWorkSection(report)).toEqual([]);
    expect(doc).not.toContain('## Temporal server work per order');
  });
  it('describes the ratio\'s ladders as side by side only when the local baseline\'s began before the default mode\'s ended', () => {
    const local = (startedAtMs: number): VariantResult => ({
      ...variant([step(4, 1, { temporal: 5 }, { startedAtMs })]),
      name: 'bare local activities',
      kind: 'bare',
      retryMode: null,
      isDefault: false,
      activities: 'local',
    });
    const system = variant([step(3, 1, { temporal: 5 }, { startedAtMs: 1_000 }), step(4, 0.5, { temporal: 5 }, { startedAtMs: 60_000 })]);
    const render = (v: VariantResult[]) => renderDoc({ ...report, variants: v }, { chartPath: 'c.svg', jsonPath: 'j.json' });
    expect(render([system, local(30_000)])).toContain('side by side with it');
    expect(render([system, local(120_000)])).toContain("the local baseline one rung above the default mode's capacity, after it");
    expect(render([variant([step(3, 1, { temporal: 5 })]), local(30_000)])).not.toContain('side by side with it');
  });

  it('says where a ladder started from its warm-up\'s cost, only when it did', () => {
    const calibrated: VariantResult = {
      ...variant([step(4, 1, { temporal: 5 })]),
      ladderStart: { rate: 4, floor: 3, cpuSecondsPerOrder: 0.4, cpuBoundRate: 5, expectedCapacity: 5.8 },
    };
    const render = (v: VariantResult[]) => renderDoc({ ...report, variants: v }, { chartPath: 'c.svg', jsonPath: 'j.json' });
    expect(render([calibrated])).toContain(
      'the default mode starts at 3/s or higher once its warm-up has shown what an order costs (the ratio\'s two sides each start at the highest rung at or below the capacity their warm-up\'s cost points to: the cores ÷ its CPU s per order, the rate the cores could carry at that cost, ÷ 0.86, what such an estimate has come to of the capacity measured after it, because a warm-up on a cold stack costs more per order; never below their first rate, and a start above the capacity walks down; in this run system seed (default) at 4/s, its warm-up 0.400 CPU s per order, ~5/s at that cost, a capacity near 5.8/s)',
    );
    // Older results, and a ladder given its start (--start), say only where it started.
    expect(render([variant([step(3, 1, { temporal: 5 })])])).toContain('the default mode starts at 3/s, ');
    expect(render([{ ...calibrated, ladderStart: null }])).not.toContain('warm-up has shown');
  });

  it('does not flag an idle machine', () => {
    expect(renderDoc({ ...report, otherLoadShare: 0.02 }, { chartPath: 'c.svg', jsonPath: 'j.json' })).not.toContain(
      'shared while this ran',
    );
  });
});

describe('ratioCaveat', () => {
  const v = (name: string, kind: 'system' | 'bare', capacityAtSlo: number, isDefault = false) =>
    ({ name, kind, capacityAtSlo, isDefault }) as VariantResult;
  const variants = [
    v('system deadline (default)', 'system', 10, true),
    v('bare remote activities', 'bare', 8),
    v('bare local activities', 'bare', 11),
  ];
  it('says the ratio is an upper bound when the best baseline was cut by the time budget', () => {
    expect(ratioCaveat({ ratio: 0.909, budgetCut: ['bare local activities'], variants })).toMatch(/ratio an upper bound/);
  });
  it('says it is a lower bound when only the default mode was cut, and nothing when no ladder that counts was', () => {
    expect(ratioCaveat({ ratio: 0.909, budgetCut: ['system deadline (default)'], variants })).toMatch(/so is the ratio/);
    expect(ratioCaveat({ ratio: 0.909, budgetCut: ['bare remote activities'], variants })).toBe('');
    expect(ratioCaveat({ ratio: 0.909, budgetCut: [], variants })).toBe('');
  });
});
