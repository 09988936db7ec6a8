/** `npm run bench -- [options]` (see args.ts for the options, docs/benchmarks.md for the method). */
import { parseArgs, USAGE } from './args';
import { runBench } from './bench';

async function main(): Promise<void> {
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
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
