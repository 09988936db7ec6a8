/**
 * Orders are searchable in Temporal by what happened to them (ADR 043): the
 * search attributes follow each transition, and a visibility query, as the
 * Temporal UI and `temporal workflow list --query` send it, finds them.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { ORDER_SEARCH_ATTRIBUTES, ORDER_WORKFLOW_TYPE, cancelOrderUpdate, orderStartOptions } from '@order-fulfillment/contracts';
import { FakeWorld, Gate, holdUntil } from './fakes';
import {
  eventually,
  newOrder,
  setUpEnvironment,
  startOrder,
  tearDownEnvironment,
  testEnv,
  testPolicy,
  until,
  waitForStatus,
  withWorkers,
} from './harness';

jest.setTimeout(60_000);

beforeAll(async () => {
  await setUpEnvironment();
}, 120_000);

afterAll(async () => {
  await tearDownEnvironment();
});

/** The workflow ids a visibility query returns (polled: visibility is eventually consistent). */
async function idsFor(query: string, expected: string, timeoutMs = 15_000): Promise<string[]> {
  let ids: string[] = [];
  await eventually(
    `"${query}" to list ${expected}`,
    async () => {
      ids = [];
      for await (const info of testEnv().client.workflow.list({ query })) ids.push(info.workflowId);
      return ids.includes(expected);
    },
    timeoutMs,
  );
  return ids;
}

async function attributes(handle: WorkflowHandle): Promise<Record<string, unknown>> {
  const { typedSearchAttributes } = await handle.describe();
  const keys = ORDER_SEARCH_ATTRIBUTES;
  return {
    OrderState: typedSearchAttributes.get(keys.OrderState),
    OrderReason: typedSearchAttributes.get(keys.OrderReason),
    PaymentStatus: typedSearchAttributes.get(keys.PaymentStatus),
    ShippingAttempt: typedSearchAttributes.get(keys.ShippingAttempt),
  };
}

/** The order attributes each upsert in the history set, in order (the SDK's own TemporalChangeVersion left out). */
async function upserts(handle: WorkflowHandle): Promise<string[][]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}))
    .map((keys) => keys.filter((key) => key in ORDER_SEARCH_ATTRIBUTES).sort())
    .filter((keys) => keys.length > 0);
}

/** What a completed order's search attributes read once it has shipped on its first attempt. */
const COMPLETED_AND_SHIPPED = { OrderState: 'completed', OrderReason: undefined, PaymentStatus: 'charged', ShippingAttempt: 1 };

describe('order search attributes', () => {
  it('a completed order: state, payment and shipping attempt are searchable, upserted only on changes', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy: testPolicy() });
      await handle.result();
      expect(await attributes(handle)).toEqual(COMPLETED_AND_SHIPPED);
      const ids = await idsFor(`OrderState='completed' AND PaymentStatus='charged' AND ShippingAttempt=1`, handle.workflowId);
      expect(ids).toContain(handle.workflowId);
      // Started with its first values (as the API starts orders), then one upsert per change, carrying
      // only what changed: in_review; shipping + charged with attempt 1 (the same run of code); completed.
      expect(await upserts(handle)).toEqual([['OrderState'], ['OrderState', 'PaymentStatus', 'ShippingAttempt'], ['OrderState']]);
      // One patch marker per workflow, each with the SDK's TemporalChangeVersion upsert (ADR 052).
      for (const workflow of [handle, testEnv().client.workflow.getHandle(`shipping-${order.orderId}-1`)]) {
        const events = (await workflow.fetchHistory()).events ?? [];
        expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toHaveLength(1);
      }
    });
  });

  it('an order started without its first values (a client other than the API) upserts them in its first task', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    await withWorkers(world, async () => {
      const { typedSearchAttributes: _left, ...options } = orderStartOptions({ order, policy: testPolicy() });
      const handle = await testEnv().client.workflow.start(ORDER_WORKFLOW_TYPE, options);
      await handle.result();
      expect(await attributes(handle)).toEqual(COMPLETED_AND_SHIPPED);
      const [first] = await upserts(handle);
      expect(first).toEqual(['OrderState', 'PaymentStatus', 'ShippingAttempt']);
    });
  });

  it('a failed order is found by OrderState and OrderReason, a cancelled one by its state and refund', async () => {
    const world = new FakeWorld();
    const invalid = newOrder({ items: [] });
    const cancelled = newOrder();
    const packing = new Gate();
    world.onPrepare = () => holdUntil(packing);
    await withWorkers(world, async () => {
      const failed = await startOrder({ order: invalid, policy: testPolicy() });
      await expect(failed.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(await attributes(failed)).toMatchObject({ OrderState: 'failed', OrderReason: 'invalid_order', PaymentStatus: 'pending' });
      const failedIds = await idsFor(`OrderState='failed' AND OrderReason='invalid_order'`, failed.workflowId);
      expect(failedIds).toContain(failed.workflowId);

      const handle = await startOrder({ order: cancelled, policy: testPolicy() });
      await waitForStatus(handle, (s) => s.state === 'shipping');
      await until('PreparePackage to start', () => packing.reached);
      await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer changed their mind' }] });
      await handle.result();
      // Free text never becomes a search attribute value: a cancelled order's reason is its kind.
      expect(await attributes(handle)).toEqual({
        OrderState: 'cancelled',
        OrderReason: 'cancelled',
        PaymentStatus: 'refunded',
        ShippingAttempt: 1,
      });
      const ids = await idsFor(`OrderState='cancelled' AND PaymentStatus='refunded'`, handle.workflowId);
      expect(ids).not.toContain(failed.workflowId);
    });
  });
});
