/**
 * Scale-in (trimmed, part of `npm test`): four shipping workers, a 1 s carrier,
 * a burst of orders; three workers stopped mid-burst. The full size runs with
 * `npm run test:chaos -- --faults shipping-scale-in`.
 */
import { freshSeed } from '@order-fulfillment/invariants';
import { faultLine, verdictDetail } from './orders';
import { runScaleIn } from './scale-in';
import type { ScaleInRun } from './scale-in';

jest.setTimeout(10 * 60_000);

const say = (line: string) => process.stdout.write(`${line}\n`);
const seed = process.env['CHAOS_SEED'] ? Number(process.env['CHAOS_SEED']) : freshSeed();
const orders = Number(process.env['SCALE_IN_ORDERS'] ?? 24);
let run: ScaleInRun;

beforeAll(async () => {
  say(`scale-in (trimmed): seed ${seed}, ${orders} orders`);
  run = await runScaleIn({ orders, workers: 4, carrierLatencyMs: 1_000, seed, settleMs: 180_000, log: say });
  say(`${verdictDetail(run)}\ndispatches by worker: ${JSON.stringify(run.dispatchesByWorker)}`);
  say(faultLine(run));
});

describe('shipping workers scaled in from 4 to 1 mid-burst (real stack)', () => {
  it('every worker was dispatching before the scale-in, and the stopped ones drained and exited cleanly', () => {
    expect(Object.keys(run.dispatchesByWorker).sort()).toEqual(['shipping-worker', 'shipping-worker-2', 'shipping-worker-3', 'shipping-worker-4']);
    expect(run.stoppedExits).toEqual({ 'shipping-worker-2': 0, 'shipping-worker-3': 0, 'shipping-worker-4': 0 });
  });

  it('the worker left shipped the rest; a stopped worker took no new dispatch', () => {
    const stopped = ['shipping-worker-2', 'shipping-worker-3', 'shipping-worker-4'].reduce((sum, name) => sum + (run.dispatchesByWorker[name] ?? 0), 0);
    expect(run.dispatchesByWorker['shipping-worker']).toBeGreaterThan(stopped);
    expect(run.dispatchesAfterStop).toBe(0);
  });

  it('loses no order and dispatches none twice: every order completed, one shipment each, every invariant holds', () => {
    expect({ orders: run.orders, completed: run.completed, shipments: run.shipments }).toEqual({ orders, completed: orders, shipments: orders });
    expect({ lost: run.lost, doubleCharged: run.doubleCharged, shippedUnpaid: run.shippedUnpaid, violations: run.violations, problems: run.problems }).toEqual({
      lost: 0,
      doubleCharged: 0,
      shippedUnpaid: 0,
      violations: {},
      problems: [],
    });
  });
});
