/**
 * Tracing can be switched on and off without a patch (ADR 044): an order run
 * by workers with the OpenTelemetry interceptors (the traced bundle, the span
 * sink) leaves a history that the plain workflow code replays, and the other
 * way round. Real Temporal dev server, the real workflow code, fake activities.
 */
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ORDERS_TASK_QUEUE, SHIPPING_TASK_QUEUE } from '@order-fulfillment/contracts';
import type { OrderResult } from '@order-fulfillment/contracts';
import { FakeWorld } from './fakes';
import { newOrder, setUpEnvironment, startOrder, tearDownEnvironment, testEnv, testPolicy, withWorkers } from './harness';
import { createDispatchGateActivities } from '@order-fulfillment/activities';

jest.setTimeout(120_000);

const workflowsPath = require.resolve('../src/index.ts');
let plain: WorkflowBundleWithSourceMap;
let traced: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  await setUpEnvironment();
  const logger = new DefaultLogger('WARN');
  plain = await bundleWorkflowCode({ workflowsPath, logger });
  traced = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
    logger,
  });
}, 180_000);

afterAll(async () => {
  await tearDownEnvironment();
});

async function replays(bundle: WorkflowBundleWithSourceMap, workflowId: string): Promise<void> {
  const history = await testEnv().client.workflow.getHandle(workflowId).fetchHistory();
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, [{ workflowId, history }])) {
    expect(result.error).toBeUndefined();
  }
}

describe('tracing on and off', () => {
  it('an order run with the tracing interceptors replays on plain workers, and its workflow spans were exported', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const spans = new InMemorySpanExporter();
    const exporter = makeWorkflowExporter(new SimpleSpanProcessor(spans), new Resource({ 'service.name': 'test' }));
    const { nativeConnection } = testEnv();
    const common = { connection: nativeConnection, workflowBundle: traced, shutdownGraceTime: '1s', sinks: { exporter } } as const;
    const orders = await Worker.create({
      ...common,
      taskQueue: ORDERS_TASK_QUEUE,
      activities: { ...world.order(), ...world.bookkeeping() },
    });
    const shipping = await Worker.create({
      ...common,
      taskQueue: SHIPPING_TASK_QUEUE,
      activities: { ...world.shipping(), ...createDispatchGateActivities() },
    });
    const handle = await orders.runUntil(
      shipping.runUntil(async () => {
        const h = await startOrder({ order, policy: testPolicy() });
        expect(((await h.result()) as OrderResult).state).toBe('completed');
        return h;
      }),
    );
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(
      expect.arrayContaining(['RunWorkflow:OrderWorkflow', 'RunWorkflow:ShippingWorkflow']),
    );
    await replays(plain, handle.workflowId);
  });

  it('an order run on plain workers replays with the tracing interceptors', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const handle = await withWorkers(world, async () => {
      const h = await startOrder({ order, policy: testPolicy() });
      expect(((await h.result()) as OrderResult).state).toBe('completed');
      return h;
    });
    await replays(traced, handle.workflowId);
  });
});
