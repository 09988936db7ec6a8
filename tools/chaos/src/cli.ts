/**
 * `npm run test:chaos`: the full chaos run (at least 100 orders in flight per
 * fault). Prints one `fault:` line per fault and exits non-zero when an order
 * was lost, charged twice or shipped unpaid, an invariant was broken or a
 * fault's own promise was not kept.
 *
 *   npm run test:chaos -- [--faults a,b] [--orders N] [--in-flight N] [--rate N] [--seed N] [--deadline-ms N]
 *
 * `shipping-scale-in` runs on a stack of its own (four shipping workers, a slow carrier):
 * three workers are stopped mid-burst and the one left must finish every order.
 */
import { interrupting } from '@order-fulfillment/stack';
import { USAGE, parseChaosArgs } from './args';
import { faultLine, passed, verdictDetail } from './orders';
import { runChaos } from './run';
import type { FaultName } from './run';
import { runScaleIn } from './scale-in';

async function main(): Promise<void> {
  const parsed = parseChaosArgs(process.argv.slice(2));
  if ('help' in parsed) {
    console.log(USAGE);
    return;
  }
  if ('error' in parsed) {
    console.error(`chaos: ${parsed.error}\n${USAGE}`);
    process.exit(2);
  }
  const { faults: chosen, orders, inFlight, rate, seed, deadlineMs } = parsed;
  const faults = chosen.filter((f): f is FaultName => f !== 'shipping-scale-in');
  const started = Date.now();
  console.log(`chaos: faults ${faults.join(', ')}; ${orders} orders per fault, fault injected at ${inFlight} in flight; order deadline ${deadlineMs} ms; seed ${seed}`);
  const results = faults.length
    ? await runChaos({ faults, orders, inFlight, rate, seed, deadlineMs, settleMs: 240_000, log: (line) => console.log(line) })
    : [];
  if (chosen.includes('shipping-scale-in')) {
    const scaleIn = await runScaleIn({ orders: 60, workers: 4, carrierLatencyMs: 1_000, seed, settleMs: 240_000, log: (line) => console.log(line) });
    console.log(`[shipping-scale-in] dispatches by worker: ${JSON.stringify(scaleIn.dispatchesByWorker)}; after the stop on a stopped worker: ${scaleIn.dispatchesAfterStop}; shipments: ${scaleIn.shipments}`);
    if (scaleIn.dispatchesAfterStop > 0 || scaleIn.shipments !== scaleIn.completed) scaleIn.problems.push(`shipments ${scaleIn.shipments} for ${scaleIn.completed} completed orders; ${scaleIn.dispatchesAfterStop} dispatches on stopped workers`);
    results.push({ ...scaleIn, inFlightAtFault: scaleIn.inFlightAtStop });
  }
  console.log('');
  for (const r of results) {
    console.log(`== ${r.fault}: ${r.inFlightAtFault} in flight at the fault, ${r.seconds} s ==\n${verdictDetail(r)}`);
  }
  console.log('');
  for (const r of results) console.log(faultLine(r));
  console.log(`chaos: ${((Date.now() - started) / 1000).toFixed(0)} s, seed ${seed}`);
  const failed = results.filter((r) => !passed(r));
  if (failed.length) {
    console.error(`chaos: FAILED: ${failed.map((r) => r.fault).join(', ')}`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  if (interrupting()) return; // Ctrl-C or SIGTERM: its handler stops the stack, then exits
  console.error(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
