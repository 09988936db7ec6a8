/**
 * `npm run test:invariants [-- --orders 2000 --seed N]`: randomized orders,
 * faults and messages through the real stack in both retry modes, then SPEC
 * §1's four invariants over the database, the sandbox ledgers and Temporal.
 * Prints one line per invariant and exits non-zero on any violation; the full
 * report goes to tools/invariants/results/.
 */
import { interrupting } from '@order-fulfillment/stack';
import { formatReport } from './check';
import { parseArgs, USAGE } from './args';
import { formatMessageChecks, MESSAGE_CHECKS } from './messages';
import { mergeReports } from './rules';
import { runHolds, runInvariants, writeReport } from './run';
import { summariseRun } from './summary';

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const parsed = parseArgs(process.argv.slice(2));
  if ('error' in parsed) {
    console.error(`test:invariants: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const options = parsed;
  console.log(`test:invariants: master seed ${options.seed} (repeat with --seed ${options.seed}); ${options.orders} orders over ${options.modes.join(', ')}; ${options.rate} orders/s`);
  const started = Date.now();
  const result = await runInvariants({ ...options, log: (line) => console.log(line) });

  for (const mode of result.modes) console.log(`\n${summariseRun(mode)}`);
  const all = mergeReports(result.modes.map((m) => m.report));
  console.log(`\n== all modes (${result.modes.map((m) => m.retryMode).join(' + ')}), master seed ${result.seed}, ${result.wallSeconds} s ==`);
  console.log(formatReport(all));
  console.log(
    formatMessageChecks(
      MESSAGE_CHECKS.map((name) => {
        const parts = result.modes.flatMap((m) => m.messageChecks.filter((c) => c.name === name));
        return { name, orders: parts.reduce((sum, c) => sum + c.orders, 0), violations: parts.flatMap((c) => c.violations) };
      }),
    ),
  );

  console.log(`\nfull report: ${writeReport(result, all, started)}`);
  return runHolds(result) ? 0 : 1;
}

main().then(
  (code) => {
    if (!interrupting()) process.exit(code);
  },
  (err: unknown) => {
    if (interrupting()) return; // Ctrl-C or SIGTERM: its handler stops the stack, then exits
    console.error(`test:invariants: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
