/**
 * A real Temporal dev server for workflow tests (the Temporal CLI, found as
 * the stack finds it), and workers on both task queues running the real
 * workflow code with the fake activities.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import {
  ORDER_SEARCH_ATTRIBUTE_KEYS,
  ORDERS_TASK_QUEUE,
  ORDER_WORKFLOW_TYPE,
  SHIPPING_TASK_QUEUE,
  defaultOrderPolicy,
  orderStartOptions,
  statusQuery,
} from '@order-fulfillment/contracts';
import type { OrderInput, OrderPolicy, OrderStatus, OrderWorkflowInput, RetryMode } from '@order-fulfillment/contracts';
import { temporalCliForTests } from '@order-fulfillment/infra';
import type { FakeWorld } from './fakes';
import { createDispatchGateActivities } from '@order-fulfillment/activities';

// Failed workflows and activities are what these tests provoke: keep their expected warnings out of the output.
Runtime.install({ logger: new DefaultLogger('ERROR') });

let env: TestWorkflowEnvironment | undefined;
let bundle: WorkflowBundleWithSourceMap | undefined;

export async function setUpEnvironment(): Promise<TestWorkflowEnvironment> {
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliForTests() },
      ip: '127.0.0.1',
      searchAttributes: ORDER_SEARCH_ATTRIBUTE_KEYS,
    },
  });
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/index.ts'),
    logger: new DefaultLogger('WARN'),
  });
  return env;
}

export async function tearDownEnvironment(): Promise<void> {
  await env?.teardown();
}

export function testEnv(): TestWorkflowEnvironment {
  if (!env) throw new Error('setUpEnvironment() first');
  return env;
}

/** Runs `body` with an order worker and a shipping worker serving `world`'s fakes. */
export async function withWorkers<T>(world: FakeWorld, body: () => Promise<T>): Promise<T> {
  const { nativeConnection } = testEnv();
  const common = { connection: nativeConnection, workflowBundle: bundle, shutdownGraceTime: '1s' } as const;
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
  return orders.runUntil(shipping.runUntil(body));
}

/** A policy for tests: fast review and backoff, single-attempt retries unless asked. */
export function testPolicy(overrides: Partial<OrderPolicy> = {}, mode: RetryMode = 'seed'): OrderPolicy {
  const policy = defaultOrderPolicy(mode);
  policy.reviewMs = 300;
  policy.shipping.backoffMs = 50;
  for (const activity of Object.values(policy.activities)) {
    activity.retry.initialIntervalMs = 20;
    activity.retry.maximumIntervalMs = 100;
  }
  return { ...policy, ...overrides };
}

let counter = 0;
export function newOrder(overrides: Partial<OrderInput> = {}): OrderInput {
  counter += 1;
  const id = `${Date.now().toString(36)}-${counter}`;
  return {
    orderId: `o-${id}`,
    paymentId: `p-${id}`,
    items: [{ sku: 'ABC', qty: 1 }],
    address: { street: '1 First St', city: 'Springfield' },
    ...overrides,
  };
}

/** Starts an order exactly as the API does ({@link orderStartOptions}). */
export async function startOrder(input: OrderWorkflowInput): Promise<WorkflowHandle> {
  return testEnv().client.workflow.start(ORDER_WORKFLOW_TYPE, orderStartOptions(input));
}

/** Polls the status query until `predicate` holds (or the deadline passes). */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: OrderStatus) => boolean,
  timeoutMs = 10_000,
): Promise<OrderStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderStatus | undefined;
  for (;;) {
    last = await handle.query(statusQuery);
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`status never matched; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls a plain condition until it holds. */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls an async condition until it holds. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Sends an update as the API does (apps/api orders.service `sendUpdate`): with
 * one update id, retried when Temporal answers FAILED_PRECONDITION because the
 * workflow task carrying it failed for its own reasons (the update was not
 * applied, and the same id makes a retry apply at most once).
 */
export async function updateWithRetry<T>(send: (updateId: string) => Promise<T>): Promise<{ value: T; attempts: number }> {
  const updateId = `test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await send(updateId), attempts: attempt };
    } catch (err) {
      const code = ((err as { cause?: { code?: number } }).cause ?? {}).code;
      if (code !== 9 || attempt >= 4) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}
