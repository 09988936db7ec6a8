/**
 * shipping-worker: serves `shipping-tq` with ShippingWorkflow and the shipping
 * activities, and nothing else. Scale it on its own.
 */
import { join } from 'node:path';
import { SHIPPING_TASK_QUEUE } from '@order-fulfillment/contracts';
import { createShippingActivities, startWorker } from '@order-fulfillment/activities';
import { runMain } from '@order-fulfillment/platform';

runMain('shipping-worker', async () => {
  const { done } = await startWorker({
    service: 'shipping-worker',
    taskQueue: SHIPPING_TASK_QUEUE,
    workflowsPath: require.resolve('@order-fulfillment/workflows/shipping'),
    bundlePath: join(__dirname, 'workflow-bundle.js'),
    activities: (deps) => createShippingActivities(deps),
  });
  await done;
});
