/**
 * The trimmed chaos run, part of `npm test`: fewer orders in flight
 * (CHAOS_ORDERS posted, the fault injected at CHAOS_IN_FLIGHT) than
 * `npm run test:chaos` (130 and 100), and every fault but the Temporal restart
 * (the slowest to settle; the full run has it), to stay near 4 minutes on
 * 2 cores. The seed is printed; CHAOS_SEED repeats it.
 */
import { freshSeed } from '@order-fulfillment/invariants';
import { faultLine, verdictDetail } from './orders';
import { runChaos } from './run';
import type { FaultName, FaultRun } from './run';

jest.setTimeout(20 * 60_000);

const say = (line: string) => process.stdout.write(`${line}\n`);
const seed = process.env['CHAOS_SEED'] ? Number(process.env['CHAOS_SEED']) : freshSeed();
const orders = Number(process.env['CHAOS_ORDERS'] ?? 40);
const inFlight = Number(process.env['CHAOS_IN_FLIGHT'] ?? 30);

const TRIMMED: readonly FaultName[] = ['workers-killed', 'postgres-outage', 'api-restart', 'hostile-input'];

let results: FaultRun[] = [];

beforeAll(async () => {
  say(`chaos (trimmed): seed ${seed} (repeat with CHAOS_SEED=${seed}, or npm run test:chaos -- --seed ${seed})`);
  results = await runChaos({ faults: TRIMMED, orders, inFlight, rate: 40, seed, settleMs: 180_000, log: say });
  for (const r of results) say(`== ${r.fault}: ${r.inFlightAtFault} in flight at the fault, ${r.seconds} s ==\n${verdictDetail(r)}`);
  for (const r of results) say(faultLine(r));
});

describe.each(TRIMMED.map((f) => [f]))('fault %s under load (real stack)', (fault) => {
  const run = () => {
    const found = results.find((r) => r.fault === fault);
    if (!found) throw new Error(`${fault} did not run`);
    return found;
  };

  it(`was injected with at least ${inFlight} orders in flight`, () => {
    expect(run().inFlightAtFault).toBeGreaterThanOrEqual(inFlight);
  });

  it('loses no order, charges none twice, ships none unpaid, and every invariant holds', () => {
    const r = run();
    expect(r.orders).toBeGreaterThanOrEqual(orders);
    expect({ lost: r.lost, doubleCharged: r.doubleCharged, shippedUnpaid: r.shippedUnpaid, violations: r.violations }).toEqual({
      lost: 0,
      doubleCharged: 0,
      shippedUnpaid: 0,
      violations: {},
    });
  });

  it("keeps the fault's own promise (readiness, one order per id, no 5xx, nothing written for refused input)", () => {
    expect(run().problems).toEqual([]);
  });
});
