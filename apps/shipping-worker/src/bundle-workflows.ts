/** Build step: bundles the shipping workflows into dist/workflow-bundle.js (and workflow-bundle-traced.js, with the tracing interceptors), loaded by the worker in production. */
import { join } from 'node:path';
import { buildWorkflowBundle } from '@order-fulfillment/activities';

buildWorkflowBundle(require.resolve('@order-fulfillment/workflows/shipping'), join(__dirname, 'workflow-bundle.js'));
