/**
 * shipping-worker: serves `shipping-tq` with ShippingWorkflow and the shipping
 * activities, and nothing else. Scale it on its own.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHIPPING_TASK_QUEUE } from '@order-fulfillment/contracts';
import { createDispatchGateActivities, createShippingActivities, startWorker } from '@order-fulfillment/activities';
import { numberEnv, runMain } from '@order-fulfillment/platform';

// An image ships the pre-built bundle and not the workflow sources: resolve
// them only when there is no bundle (development, tests from the repository).
const bundlePath = join(__dirname, 'workflow-bundle.js');
const workflowsPath = (): string => (existsSync(bundlePath) ? bundlePath : require.resolve('@order-fulfillment/workflows/shipping'));

runMain('shipping-worker', async () => {
  const { done } = await startWorker({
    service: 'shipping-worker',
    taskQueue: SHIPPING_TASK_QUEUE,
    workflowsPath: workflowsPath(),
    bundlePath,
    activities: (deps) => ({ ...createShippingActivities(deps), ...createDispatchGateActivities() }),
    // A shipping worker's capacity: shipping activities it runs at once (scale out by adding workers).
    activitySlots: numberEnv(process.env, 'SHIPPING_WORKER_SLOTS', 1_000, { min: 1, max: 100_000 }),
  });
  await done;
});
