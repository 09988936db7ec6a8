/**
 * order-worker: serves `orders-tq` with OrderWorkflow, the order activities and
 * the bookkeeping local activities.
 */
import { join } from 'node:path';
import { ORDERS_TASK_QUEUE } from '@order-fulfillment/contracts';
import { createBookkeepingActivities, createOrderActivities, startWorker } from '@order-fulfillment/activities';
import { runMain } from '@order-fulfillment/platform';

runMain('order-worker', async () => {
  const { done } = await startWorker({
    service: 'order-worker',
    taskQueue: ORDERS_TASK_QUEUE,
    workflowsPath: require.resolve('@order-fulfillment/workflows/order'),
    bundlePath: join(__dirname, 'workflow-bundle.js'),
    activities: (deps) => ({ ...createOrderActivities(deps), ...createBookkeepingActivities(deps) }),
  });
  await done;
});
