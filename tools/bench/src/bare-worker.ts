/**
 * The bare baseline's worker, a process of its own so its CPU is measured
 * apart: both task queues of the bare workflows, activities that do nothing.
 * Usage: node bare-worker.js <temporal address> <workflow bundle file>
 * Prints `ready` once both workers run; stops on SIGTERM.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { BARE_ORDERS_QUEUE, BARE_SHIPPING_QUEUE } from './bare-workflows';
import type { BareActivities } from './bare-workflows';

const nothing = async (): Promise<void> => undefined;
const activities: BareActivities = {
  ReceiveOrder: nothing,
  ValidateOrder: nothing,
  ChargePayment: nothing,
  PreparePackage: nothing,
  DispatchCarrier: nothing,
  MarkShipped: nothing,
};

async function main(): Promise<void> {
  const [address, bundle] = process.argv.slice(2);
  if (!address || !bundle) throw new Error('usage: bare-worker <temporal address> <workflow bundle file>');
  Runtime.install({
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m: string) => console.error(m),
    },
  });
  const connection = await NativeConnection.connect({ address });
  const workers = await Promise.all(
    [BARE_ORDERS_QUEUE, BARE_SHIPPING_QUEUE].map((taskQueue) =>
      Worker.create({
        connection,
        taskQueue,
        workflowBundle: { codePath: bundle },
        activities,
        // The apps' worker settings (libs/activities/src/worker.ts), so only the work per order differs.
        maxConcurrentActivityTaskExecutions: 1_000,
        maxConcurrentWorkflowTaskExecutions: 40,
        maxConcurrentWorkflowTaskPolls: 20,
        maxConcurrentActivityTaskPolls: 20,
        maxConcurrentLocalActivityExecutions: 200,
      }),
    ),
  );
  const shutdown = () => workers.forEach((w) => w.shutdown());
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  const running = Promise.all(workers.map((w) => w.run()));
  console.log('ready');
  await running;
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(`bare-worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
