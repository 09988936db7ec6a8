/**
 * order-worker: serves `orders-tq` with OrderWorkflow, the order activities and
 * the bookkeeping local activities.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ORDER_SEARCH_ATTRIBUTE_KEYS, ORDERS_TASK_QUEUE } from '@order-fulfillment/contracts';
import { createBookkeepingActivities, createOrderActivities, startWorker } from '@order-fulfillment/activities';
import { runMain } from '@order-fulfillment/platform';

// An image ships the pre-built bundle and not the workflow sources: resolve
// them only when there is no bundle (development, tests from the repository).
const bundlePath = join(__dirname, 'workflow-bundle.js');
const workflowsPath = (): string => (existsSync(bundlePath) ? bundlePath : require.resolve('@order-fulfillment/workflows/order'));

runMain('order-worker', async () => {
  const { done } = await startWorker({
    service: 'order-worker',
    taskQueue: ORDERS_TASK_QUEUE,
    workflowsPath: workflowsPath(),
    bundlePath,
    searchAttributes: ORDER_SEARCH_ATTRIBUTE_KEYS.map((key) => key.name),
    activities: (deps) => ({ ...createOrderActivities(deps), ...createBookkeepingActivities(deps) }),
  });
  await done;
});
