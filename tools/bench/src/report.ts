/** docs/benchmarks.md, generated from a run's report. */
import type { BenchReport, VariantResult } from './bench';
import type { ScaleOutResult } from './scale-out';
import type { StepResult } from './run';
import { COLD_ESTIMATE_SHARE, GROWTH_SLACK_MS, cpuSecondsPerOrder, ladderStep, meetsSlo } from './stats';

const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;
const sec = (ms: number | null): string => (ms === null ? '> window' : `${(ms / 1000).toFixed(1)} s`);
const PROCESS_ORDER = ['temporal', 'order-worker', 'shipping-worker', 'api', 'postgres', 'bare-worker'];
const procs = (step: StepResult): string[] =>
  PROCESS_ORDER.filter((p) => step.usage[p] && (p !== 'api' || step.usage[p].cpuSeconds > 0 || step.usage[p].peakRssMb > 0));

function cpuPerOrder(step: StepResult): string {
  return procs(step)
    .map((p) => `${p} ${(step.usage[p]?.cpuSecondsPerOrder ?? 0).toFixed(3)}`)
    .join(', ');
}

function peakRss(step: StepResult): string {
  return procs(step)
    .map((p) => `${p} ${step.usage[p]?.peakRssMb ?? 0}`)
    .join(', ');
}

/** "3.1 s / 9.8 s, grew": the p50 of the first and the last third of the step's orders; "—" for a step from before the check. */
function thirds(step: StepResult): string {
  if (step.sustained === undefined || step.accepted === 0) return '—';
  return `${sec(step.latencyFirstThirdP50Ms ?? null)} / ${sec(step.latencyLastThirdP50Ms ?? null)}${step.sustained ? '' : ', **grew**'}`;
}

function stepRow(step: StepResult, label: string): string {
  const backlog = step.backlogAtStart ? ` (${step.backlogAtStart} earlier orders still running)` : '';
  return `| ${label}${backlog} | ${step.offered} | ${step.accepted} | ${pct(step.withinSloShare)} | ${sec(step.latencyMs.p50)} | ${sec(step.latencyMs.p95)} | ${sec(step.latencyMs.p99)} | ${thirds(step)} | ${step.throughput ?? '—'} | ${step.goodput} | ${cpuPerOrder(step)} | ${peakRss(step)} |`;
}

const STEP_HEADER = [
  '| step | offered | accepted | within 15 s | p50 | p95 | p99 | first/last third p50 | throughput (orders/s) | goodput (orders/s) | CPU s per order | peak RSS (MB) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
];

/**
 * What the Temporal server did per order in each variant over its ladder,
 * from the server's own counters. Empty for a run without them.
 */
export function serverWorkSection(report: BenchReport): string[] {
  const rows = report.variants.flatMap((v) => {
    const work = v.ladderServerWork;
    if (!work || !v.ladder.length) return [];
    const accepted = v.ladder.reduce((sum, s) => sum + s.accepted, 0);
    const temporalCpu = v.ladder.reduce((sum, s) => sum + (s.usage['temporal']?.cpuSeconds ?? 0), 0);
    const rates = v.ladder.map((s) => `${s.rate}`).join(', ');
    return [
      `| ${v.name} | ${rates} (${accepted} orders) | ${work.workflowTasks} | ${work.workflowTaskFailures} | ${work.activityTasks} | ${work.signals} | ${work.updates} | ${work.historyWrites} | ${accepted ? (temporalCpu / accepted).toFixed(3) : '—'} |`,
    ];
  });
  if (!rows.length) return [];
  return [
    '## Temporal server work per order',
    '',
    "Counted by the Temporal server itself: its Prometheus counters, read before a variant's ladder and after it (the dev server updates them once a second, so the bench waits that long after the last rung), divided by the orders the ladder's rungs accepted. **Workflow tasks** completed by a worker (each signal, timer, child and remote-activity wake-up costs one; a local activity runs inside one), failed workflow tasks, remote **activity tasks** completed or failed, **signals** (a client's and those one workflow sends another), **updates** sent by a client (this system's dispatch request, ADR 047), and **history writes** (the server's writes of a workflow's state and its new history events to its database). An order still running when the ladder ended counts with the work it had done.",
    '',
    '| variant | ladder rungs (orders/s) | workflow tasks | failed workflow tasks | activity tasks | signals | updates | history writes | Temporal CPU s per order |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
}

/** The results JSON: the report without the accepted orders' ids (steps' `orderIds` lists; the reads' count of ids stays). */
export const resultsJson = (report: BenchReport): string =>
  `${JSON.stringify(report, (key, value: unknown) => ((key === 'orderIds' || key === 'missedOrders') && Array.isArray(value) ? undefined : value), 2)}\n`;

/**
 * What saturates first, read from the CPU figures of the first ladder step
 * that missed the SLO (or the highest one run when none missed).
 */
export function saturation(variant: VariantResult, cpusOnMachine: number): string {
  const missed = variant.ladder.find((s) => !meetsSlo(ladderStep(s)));
  const step = missed ?? variant.ladder[variant.ladder.length - 1];
  if (!step) return 'no ladder step ran';
  const wallCpu = step.wallS * cpusOnMachine;
  const shares = Object.entries(step.usage)
    .map(([name, u]) => [name, u.cpuSeconds / wallCpu] as const)
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1]);
  const client = step.clientCpuSeconds / wallCpu;
  const other = step.otherCpuSeconds / wallCpu;
  const ours = shares.reduce((sum, [, share]) => sum + share, 0);
  const total = ours + client + other;
  const top = shares[0];
  const parts = shares.map(([name, share]) => `${name} ${pct(share)}`).join(', ');
  // A rung whose latency grew is named as such: its share within 15 s may look fine.
  const growth =
    step.sustained === false
      ? `latency grew from ${sec(step.latencyFirstThirdP50Ms ?? null)} to ${sec(step.latencyLastThirdP50Ms ?? null)} across the rung: the backlog was growing`
      : null;
  const where = !missed
    ? `at ${step.rate}/s, the highest rate run (none missed the SLO)`
    : growth
      ? `at ${step.rate}/s, the first rate that missed the SLO (${pct(step.withinSloShare)} within 15 s, ${step.withinSloShare >= 0.99 ? 'but' : 'and'} ${growth})`
      : `at ${step.rate}/s, the first rate that missed the SLO`;
  let verdict: string;
  if (total < 0.85)
    verdict = `the CPUs were ${pct(total)} busy, not saturated: the limit is latency (task round trips, timers, worker slots) rather than CPU`;
  else if (other > ours + client)
    verdict = `the CPUs were saturated (${pct(total)} busy), mostly by work outside the bench (${pct(other)}); of the variant's processes ${top ? top[0] : 'none'} used most`;
  else verdict = `the CPUs were saturated (${pct(total)} busy), ${top ? `${top[0]} the largest consumer` : ''}`;
  // The variant's own CPU per order, and the rate at which it alone would fill every core.
  const perOrder = cpuSecondsPerOrder(step) ?? 0;
  const bound =
    perOrder > 0
      ? ` Its processes used ${perOrder.toFixed(3)} CPU s per order: on an otherwise idle machine its CPU alone would run out near ${(cpusOnMachine / perOrder).toFixed(1)} orders/s.`
      : '';
  return `${where}: ${verdict}. CPU share of the machine: ${parts}; load generator ${pct(client)}; everything else on the machine ${pct(other)}.${bound}`;
}

export function renderDoc(report: BenchReport, paths: { chartPath: string; jsonPath: string }): string {
  const m = report.machine;
  const loaded = report.otherLoadShare > 0.1;
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  out.push(
    `<!-- Generated by \`npm run bench\` (tools/bench/src/report.ts) from ${paths.jsonPath}; edit the generator, not this file. -->`,
  );
  out.push('');
  out.push(
    `Run of ${report.date} (${report.wallS} s${report.quick ? ', `--quick`' : ''}). Raw figures: [\`${paths.jsonPath}\`](../${paths.jsonPath}).`,
  );
  out.push('');
  out.push('## Headline');
  out.push('');
  out.push('| variant | capacity at SLO (orders/s, ≥ 99 % within 15 s from POST, sustained) |');
  out.push('|---|---|');
  for (const v of report.variants.filter((x) => x.ladder.length))
    out.push(`| ${v.name} | ${v.capacityAtSlo ?? `< ${Math.min(...v.ladder.map((s) => s.rate ?? 0))}`} |`);
  out.push('');
  out.push(
    `**ratio = ${report.ratio ?? 'n/a'}**: this system's capacity at the SLO in its default mode (\`${report.defaultRetryMode}\`, RETRY_MODE unset) divided by the best bare baseline's. The ladder's rungs are ${report.options.rates.join(', ')} orders/s, with rates half way between a ladder's capacity and its first miss above it tried until 0.5/s apart, so a capacity is a lower bound to the next rate tried.${ratioCaveat(report)}`,
  );
  if (report.budgetCut.length) {
    out.push('');
    out.push(
      `These ladders stopped climbing at their share of the run's time budget (${report.options.budgetS} s for all of them) before any rung missed the SLO, so their capacity is a lower bound: ${report.budgetCut.join(', ')}.`,
    );
  }
  if (report.failures?.length) {
    out.push('');
    out.push(`**Steps that failed in this run** (the other figures stand): ${report.failures.map((f) => `\`${f}\``).join('; ')}.`);
  }
  out.push('');
  out.push(`![latency and goodput against offered rate](${paths.chartPath})`);
  out.push('');
  out.push('## Machine');
  out.push('');
  out.push(
    `- ${m.cpus} CPUs (\`nproc\`: ${m.cpuModel}), ${m.memoryGiB} GiB memory, Node ${m.node}, Temporal CLI ${m.temporalCli.replace(/\n/g, ' ')}`,
  );
  out.push(
    `- load average at start: ${m.loadAverageAtStart.join(', ')}; CPU used by processes outside the bench during the run: ${pct(report.otherLoadShare)} of the machine.`,
  );
  if (loaded) {
    out.push(
      `- **The machine was shared while this ran** (other work used ${pct(report.otherLoadShare)} of its CPU): the capacities are lower, and noisier, than on an idle machine. Re-run on an idle machine for figures to compare.`,
    );
  }
  out.push(
    '- Everything on this one machine: Temporal dev server (in-memory SQLite), PostgreSQL, the API, both workers, the load generator.',
  );
  out.push('');
  out.push('## Method');
  out.push('');
  const o = report.options;
  // A run from before the sustained check: its rungs were judged on their share alone.
  const warmUpS = report.variants.find((v) => v.ladderWarmUp)?.ladderWarmUp?.durationS ?? null;
  // Side by side: the local baseline's ladder began before the default mode's ended (older results: one after the other).
  const defaultLadder = report.variants.find((v) => v.kind === 'system' && v.isDefault && !v.faults)?.ladder ?? [];
  const localStart = report.variants.find((v) => v.kind === 'bare' && v.activities === 'local')?.ladder[0]?.startedAtMs;
  const sideBySide = localStart !== undefined && defaultLadder.some((st) => (st.startedAtMs ?? -Infinity) > localStart);
  // Ladders that moved their start from what their warm-up cost per order (absent in older results).
  const calibrated = report.variants.flatMap((v) => (v.ladderStart?.cpuBoundRate ? [{ name: v.name, start: v.ladderStart }] : []));
  const calibration = calibrated.length
    ? ` or higher once its warm-up has shown what an order costs (the ratio's two sides each start at the highest rung at or below the capacity their warm-up's cost points to: the cores ÷ its CPU s per order, the rate the cores could carry at that cost, ÷ ${COLD_ESTIMATE_SHARE}, what such an estimate has come to of the capacity measured after it, because a warm-up on a cold stack costs more per order; never below their first rate, and a start above the capacity walks down; in this run ${calibrated
        .map(({ name, start }) => `${name} at ${start.rate}/s, its warm-up ${start.cpuSecondsPerOrder?.toFixed(3)} CPU s per order, ~${start.cpuBoundRate}/s at that cost, a capacity near ${start.expectedCapacity}/s`)
        .join('; ')})`
    : '';
  const allSteps = report.variants.flatMap((v) => [...v.ladder, v.burst, v.reads?.step, v.overload, v.faults?.steady, v.faults?.burst]);
  if (!allSteps.some((st) => st?.sustained !== undefined)) {
    out.push(
      '_This run predates the sustained check: its rungs met the SLO on their share within 15 s alone, its steps have no first/last third p50 or throughput (—), and its ladders ran with the options in its JSON, not necessarily those described below._',
    );
    out.push('');
  }
  out.push(
    [
      'Every variant runs on a fresh stack started on free ports by `tools/stack` (`startIsolatedStack`): a new Temporal dev server, started by the same code with the same flags, so each variant starts from empty server state (ADR 032).',
      '',
      '- **this system**: the API and both workers from their build output, an embedded PostgreSQL of its own; once in the default retry mode (RETRY_MODE unset) and once in each other mode. No API key and no per-client rate limit (one client offers every order).',
      `- **bare baseline**: a minimal workflow of the same shape (\`tools/bench/src/bare-workflows.ts\`): ReceiveOrder, ValidateOrder, the ${report.reviewMs / 1000} s review timer, ChargePayment, a child workflow on its own task queue (PreparePackage, the two-signal dispatch handshake, DispatchCarrier), MarkShipped; activities that do nothing; no database, no API; started with the Temporal client; its worker in a process of its own, with the apps' worker settings. Once with remote and once with local activities. It keeps the shape issue 11 defines (the seed's, with its signal handshake: 9 workflow tasks per order with local activities); this system now asks for dispatch with an update and records consecutive transitions together (ADR 047: 6 workflow tasks per order in the default mode), so on the Temporal side it does less than the baseline (the server's own counts are under **Temporal server work per order**), and the rest of its cost is its own work (the API, PostgreSQL, the bookkeeping and ledgers, a second worker process).`,
      `- **ladder**: orders offered open loop at a fixed rate for ${o.stepS} s per rung${warmUpS ? ` (the ratio's two sides, the default mode's ladder and the local baseline's, first run ${warmUpS} s at their first rung's rate on the stack just started, not counted, because capacity at SLO is a sustained rate and a cold stack runs unoptimised code and, in this system, admission control's cold-start limit of 40 in flight, ADR 039)` : ''}; the default mode starts at ${o.startRate}/s${calibration}, ${sideBySide ? "and the local baseline one rung above that, side by side with it: the two ladders run at once, each on its own stack, and take turns on the machine rung by rung (while one's rung runs, the other's stack idles), so a drift of the machine's speed over the minutes of the run hits both alike" : "the local baseline one rung above the default mode's capacity, after it"}; the remote baseline starts at the highest rung at or below 0.75 × the default mode's capacity, the other retry mode at the highest rung at or below 0.6 × it (it costs more per order); it climbs one rung at a time and stops ${o.afterMiss === 0 ? 'at the first rung that misses the SLO' : `${o.afterMiss} rung(s) after the first rung that misses the SLO`} (when the first rung misses, it walks down instead until one meets it); then it runs the rate half way between its capacity and the lowest rate above it that missed, rounded to 0.5/s, and again half way between what that leaves, until no such rate is left (the rungs climb 2/s at a time above 6/s, so a fast machine reaches its limit within the budget; the halving brings the resolution to 0.5/s): the default mode's ladder and a baseline's whose capacity is at least the best baseline's measured before it do, and they climb to their first miss, both even past the time budget, so the ratio's two sides are both measured, to the same resolution; the other ladders do not. Their climbing stops once it has used its part of the run's ${o.budgetS} s time budget (of what is left when a ladder starts, the default mode's, which starts furthest below its capacity, and the first baseline's, the ratio's other side, get two parts each, any later ladder one). Each rung is watched until every accepted order is terminal or 18 s after the last POST; before the next step the bench waits (up to 20 s) for the earlier steps' orders to finish, and a step that still started with a backlog says so. When a ladder overloaded the system, the steps after it (reads, burst, overload) run on a fresh stack.`,
      `- **sustained**: a rung meets the SLO only if its latency did not grow across it: the p50 of the orders offered in its last third (by POST time) is at most the p50 of those offered in its first third + ${GROWTH_SLACK_MS / 1000} s (\`GROWTH_SLACK_MS\` in \`tools/bench/src/stats.ts\`): the orders of the two thirds are offered ~13 s apart, so a second of growth means the system completed at least ~92 % of the offered rate. A bound proportional to the latency would judge a queue by its length. An order that did not complete counts as slower than any, so a last third whose median did not complete fails it. A rung can end with ≥ 99 % of its orders within 15 s while its backlog grows all through it, as long as the backlog has not reached 15 s when the rung ends: that rate is not sustained, and a capacity counted from it would not compare with one that is. The tables show both p50s (**grew**: the rung failed the check). **throughput** is what a step achieved: completed orders ÷ (the last completion − the first POST); a rung that keeps up comes in just under its offered rate (the span includes its last orders' latency), one that falls behind well under it.`,
      '- **latency** is from the client\'s request: the bench records the time just before it sends each POST (bare: each workflow start). For this system the completion time is the `updated_at` the `completed` row was written with (`clock_timestamp()`, same machine clock), read after the fact, rather than polling `GET /orders/:id` per order, which would add API and database load that grows with the rate being measured. For the bare baseline it is when the client sees the workflow\'s result. Percentiles are over every accepted order: one that did not complete counts as slower than all that did ("> window").',
      '- **within 15 s** is the share of offered orders completed within 15 s of their POST; **capacity at SLO** is the highest rung that met the SLO, ≥ 99 % within 15 s and sustained, every lower rung tried meeting it too; **goodput** is orders completed within 15 s per second offered.',
      `- **time** (the full run is meant to end within 10 minutes): a rung takes its ${o.stepS} s plus the latency of its last orders, about ${o.stepS + 3.5} s when it keeps up, ${o.stepS + 10} s when its latency grows, at most ${o.stepS + 18} s. The ladders stop climbing ${o.budgetS} s into the run; the ~80 s of stack start-ups, the two warm-ups (~8 s each), the default mode's reads, burst and overload and the baselines' bursts, which run between ladders, count in that, so the ladders get ~${o.budgetS - 80} s, ~${Math.floor((o.budgetS - 80) / (o.stepS + 3.5))} rungs. The rung under way at ${o.budgetS} s (or the other mode's walk-down to a rung that meets the SLO) adds up to ~30 s; then the other mode's burst, the faults steps (~60 s: a rung watched 18 s past its last POST, whose hung calls never finish, and a burst), the shipping scale-out (~85 s) and the stops take ~170 s: ${o.budgetS} + 30 + 170 ≈ ${o.budgetS + 200} s. This run took ${report.wallS} s.`,
      "- **CPU s per order**: CPU seconds of each process tree (the Temporal CLI and its server, each app, PostgreSQL's postmaster and all its backends, the bare worker) over the rung, from `/proc/<pid>/stat` (utime+stime plus reaped children), divided by the orders accepted; it includes the idle cost over the rung and its drain. **peak RSS** is the highest sampled (1 s) sum of the tree's resident memory.",
      `- **burst**: ${report.options.burst} orders posted at once. **reads**: \`GET /orders/:id\` for 10 existing (closed) orders with autocannon (10 connections) while the default mode is offered its capacity. **overload**: the default mode at 2 × its capacity; 429/503 with \`Retry-After\` count as refused. **faults**: the default mode with \`FAULT_PRESET=exercise\` (1/3 errors, 1/3 hangs of 300 s on every external call, seed 1) at half its capacity, and a burst; double charges per the invariant checker (\`tools/invariants\`, database and sandbox ledgers).`,
    ].join('\n'),
  );
  out.push('');
  out.push('## What saturates first');
  out.push('');
  for (const v of report.variants.filter((x) => x.ladder.length)) out.push(`- **${v.name}**: ${saturation(v, m.cpus)}`);
  out.push('');
  out.push(...serverWorkSection(report));
  out.push('## Figures');
  for (const v of report.variants) {
    out.push('');
    out.push(`### ${v.name}`);
    out.push('');
    out.push(
      `Stack start-up ${v.startupS.toFixed(1)} s.${v.kind === 'system' && v.retryMode ? ` Retry mode \`${v.retryMode}\`${v.isDefault ? ' (the default)' : ''}.` : ''}`,
    );
    out.push('');
    out.push(...STEP_HEADER);
    for (const s of v.ladder) out.push(stepRow(s, `${s.rate}/s`));
    if (v.reads) out.push(stepRow(v.reads.step, `${v.reads.step.rate}/s + reads`));
    if (v.burst) out.push(stepRow(v.burst, `burst ${v.burst.offered}`));
    if (v.overload) out.push(stepRow(v.overload, `overload ${v.overload.rate}/s`));
    if (v.faults?.steady) out.push(stepRow(v.faults.steady, `faults ${v.faults.steady.rate}/s`));
    if (v.faults?.burst) out.push(stepRow(v.faults.burst, `faults burst ${v.faults.burst.offered}`));
    if (v.reads) {
      const a = v.reads.autocannon;
      out.push('');
      out.push(
        `\`GET /orders/:id\` under load (autocannon, ${a.connections} connections, ${a.durationS} s${typeof a.orderIds === 'number' ? `, ${a.orderIds} order ids` : ''}): **${a.requestsPerSecond} requests/s, p99 ${a.p99Ms} ms** (p50 ${a.p50Ms} ms; ${a.non2xx} non-2xx, ${a.errors} errors).`,
      );
    }
    if (v.overload) {
      const o = v.overload;
      out.push('');
      out.push(
        `Overload at ${o.rate}/s: ${o.offered} offered, ${o.accepted} accepted, ${o.refused} refused (429/503 with Retry-After), ${o.errors} failed; ${pct(o.withinSloShareOfAccepted)} of accepted orders within 15 s; goodput ${o.goodput}/s = ${o.goodputOfCapacity === null ? 'n/a' : pct(o.goodputOfCapacity)} of the capacity at SLO.`,
      );
    }
    if (v.faults) {
      out.push('');
      out.push(
        `Under faults: **${v.faults.doubleCharges} double charges**${v.faults.invariantNotes.length ? ` (${v.faults.invariantNotes.join('; ')})` : ''}.`,
      );
      const missed = v.faults.missed ?? [];
      if (missed.length) {
        out.push('');
        out.push('Where the time of the steady step\'s orders outside 15 s went (their recorded events, seconds from the POST):');
        out.push('');
        for (const m of missed) out.push(`- \`${m.orderId}\`, ${m.state ?? '?'}${m.latencyMs === null ? '' : ` after ${sec(m.latencyMs)}`}: ${m.events.join(', ')}`);
      }
    }
  }
  if (report.scaleOut) out.push(...scaleOutSection(report.scaleOut, paths.chartPath.replace(/\.svg$/, '-scale-out.svg')));
  out.push('');
  out.push('## What raised capacity');
  out.push('');
  out.push('The changes made for capacity, each with its before/after figures, are in [capacity.md](capacity.md) (ADRs 035, 036).');
  out.push('');
  out.push('## How to reproduce');
  out.push('');
  out.push('```bash');
  out.push('npm ci');
  out.push('npm run bench                       # the full run (about 10 minutes); writes bench/results/<date>.json, .svg and this file');
  out.push('npm run bench -- --quick            # a shorter run (bench/results/<date>-quick.*; the doc is left alone)');
  out.push('npm run bench -- --only ladder,burst,faults,overload,reads --variants default,bare-local');
  out.push('npm run bench -- --only scale-out   # the shipping scale-out step alone (1, 2, 4 shipping workers)');
  out.push("npm run bench -- --render bench/results/<date>.json   # the chart and this file again from a run's JSON");
  out.push('npm run bench -- --render bench/results/<date>.json --out /tmp/b --doc /tmp/b/benchmarks.md   # ... elsewhere');
  out.push('```');
  out.push('');
  out.push(
    'The Temporal CLI comes from `TEMPORAL_CLI_PATH`, `PATH` or the project venv, as for the stack. Run it on an otherwise idle machine: the load generator shares the machine with what it measures, and anything else running skews the figures (the run reports how much CPU other processes used).',
  );
  out.push('');
  return out.join('\n');
}

/** The shipping scale-out step: a table, the chart, and what it shows. */
export function scaleOutSection(result: ScaleOutResult, chartPath: string): string[] {
  const one = result.runs.find((r) => r.workers === 1);
  const out = [
    '',
    '## Shipping scale-out',
    '',
    `The same burst of ${result.runs[0]?.orders ?? 0} orders with 1, 2 and 4 shipping workers on one stack, each worker with one slot (\`SHIPPING_WORKER_SLOTS=1\`) and a carrier that takes ${result.carrierLatencyMs} ms per call (\`SANDBOX_CARRIER_LATENCY_MS\`), shipping activities remote so the backlog waits in \`shipping-tq\` (\`slowShippingEnv\` in tools/stack). Shipping throughput = shipments ÷ (end of the last carrier call − start of the first); end to end = POST → the client sees \`completed\` (polling \`GET /orders/:id\`); CPU in cores busy over the burst (1.0 = one core). ADR 046 sizes the autoscalers from the per-slot rate.`,
    '',
    '| shipping workers | shipped/s | × one worker | completed | p50 | p95 | peak backlog | CPU: Temporal | order-worker | shipping workers | api |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of result.runs) {
    const times = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
    const factor = one && one.shippingPerSecond > 0 ? `${(r.shippingPerSecond / one.shippingPerSecond).toFixed(2)}×` : '—';
    out.push(
      `| ${r.workers} | ${r.shippingPerSecond} | ${factor} | ${r.completed}/${r.orders} | ${times(r.endToEndMs.p50)} | ${times(r.endToEndMs.p95)} | ${Math.max(0, ...r.backlog.map((b) => b.tasks))} | ${r.cpuCores.temporal} | ${r.cpuCores.orderWorker} | ${r.cpuCores.shippingWorkers} | ${r.cpuCores.api} |`,
    );
  }
  out.push('');
  out.push(
    `**4 workers ÷ 1: ${result.ratio ?? 'n/a'}×.** The Temporal server and the order-worker stay far below a core each, so the shipping workers, not the server, set the pace. The backlog is Temporal's approximate count (\`DescribeTaskQueue\` with stats), which the server refreshes every few seconds.`,
  );
  out.push('');
  out.push(`![shipping scale-out](${chartPath})`);
  return out;
}

/** Which way the ratio may be off when a ladder was cut by the time budget (its capacity a lower bound). */
export function ratioCaveat(report: Pick<BenchReport, 'ratio' | 'budgetCut' | 'variants'>): string {
  if (report.ratio === null) return '';
  const cut = new Set(report.budgetCut);
  const bare = report.variants.filter((v) => v.kind === 'bare' && v.capacityAtSlo !== null);
  const best = Math.max(...bare.map((v) => v.capacityAtSlo as number));
  const bareCut = bare.some((v) => cut.has(v.name) && v.capacityAtSlo === best);
  const systemCut = report.variants.some((v) => v.kind === 'system' && v.isDefault && cut.has(v.name));
  if (bareCut && !systemCut)
    return " The best baseline's ladder was cut by the time budget, so its capacity is a lower bound and the ratio an upper bound.";
  if (systemCut && !bareCut)
    return " The default mode's ladder was cut by the time budget, so its capacity is a lower bound and so is the ratio.";
  if (systemCut && bareCut) return ' Both ladders were cut by the time budget: the ratio may be off either way.';
  return '';
}
