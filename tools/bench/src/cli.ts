/** `npm run bench -- [options]` (see args.ts for the options, docs/benchmarks.md for the method). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, USAGE } from './args';
import { runBench, writeOutputs } from './bench';
import type { BenchReport } from './bench';
import { interrupting, repoRoot } from '@order-fulfillment/stack';

async function main(): Promise<void> {
  // --render <results.json> [--out DIR] [--doc FILE|none]: the chart and the doc again from a run's JSON (after a
  // change to how they are drawn), next to the JSON and into docs/benchmarks.md unless told otherwise.
  if (process.argv[2] === '--render') {
    const file = process.argv[3];
    if (!file) throw new Error('--render: give a results file, e.g. bench/results/2026-11-27.json');
    const report = JSON.parse(readFileSync(resolve(file), 'utf8')) as BenchReport;
    const options = parseArgs([...(report.quick ? ['--quick'] : []), ...process.argv.slice(4)]);
    const files = writeOutputs(report, { ...options, outDir: options.outDir ?? dirname(resolve(file)) }, repoRoot());
    for (const written of files) console.log(`written: ${written}`);
    return;
  }
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof Error && err.message.includes('usage:'))) console.error(USAGE);
    process.exit(2);
  }
  const { report, files } = await runBench(options);
  console.log(`\nbench: ${report.wallS} s; capacity at SLO ratio (default mode / best bare baseline): ${report.ratio ?? 'n/a'}`);
  for (const v of report.variants) if (v.ladder.length) console.log(`  ${v.name}: ${v.capacityAtSlo ?? '< lowest rate tried'} orders/s`);
  for (const file of files) console.log(`written: ${file}`);
  if (report.failures?.length) {
    for (const failure of report.failures) console.error(`bench: failed: ${failure}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  if (interrupting()) return; // Ctrl-C or SIGTERM: its handler stops the stacks, then exits
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
