/**
 * An update handler and the main story each awaiting a local activity in the
 * same workflow task must replay to the same commands, whichever of the two
 * came back first and whether they came back together or apart.
 *
 * On a first run the worker hands the workflow each local activity's result
 * when it finishes: two that finish close together come in one activation,
 * where the two continuations then run in the order of their microtasks. A
 * replay resolves the results from their markers, and may group them
 * differently. Code in which a command follows the main story's local activity
 * directly (not another local activity), while an update's handler completes
 * after its own, can then put the update's completion and that command in a
 * different order on replay: a nondeterminism error, after any eviction (a
 * restarted worker, a task refused for UnhandledCommand), that leaves the order
 * running for ever. ADR 050's build had such a command (the charge's upsert
 * right after ChargePayment) and its orders hung so in a 1000-order invariant
 * run; the approval test "finishing together" below fails against that build
 * on its first run, and passes here, where RecordTransitions follows the
 * charge (ADR 050, "Why it was reverted").
 */
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { approveOrderUpdate, cancelOrderUpdate, updateAddressUpdate } from '@order-fulfillment/contracts';
import type { OrderResult } from '@order-fulfillment/contracts';
import type { WorkflowHandle } from '@temporalio/client';
import { FakeWorld, Gate, holdUntil } from './fakes';
import { newOrder, setUpEnvironment, startOrder, tearDownEnvironment, testPolicy, until, withWorkers } from './harness';

jest.setTimeout(60_000);

beforeAll(async () => {
  await setUpEnvironment();
}, 120_000);

afterAll(async () => {
  await tearDownEnvironment();
});

async function replays(handle: WorkflowHandle): Promise<void> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/index.ts'), logger: new DefaultLogger('WARN') });
  const history = await handle.fetchHistory();
  await expect(Worker.runReplayHistory({ workflowBundle }, history, handle.workflowId)).resolves.toBeUndefined();
}

describe('message handlers and the main story, replayed', () => {
  it('an approval whose audit write is slower than the charge and the next transitions replays to the same commands', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    // Steps run as local activities (the default mode); a long review, so the approval ends it.
    const policy = testPolicy({ reviewMs: 20_000, deadlineMs: 40_000 }, 'deadline');
    const auditHeld = new Gate();
    world.onRecordEvent = (type) => (type === 'review_approved' ? holdUntil(auditHeld) : undefined);
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy });
      await until('the review to start', () => world.states(order.orderId).includes('in_review'));
      const approved = handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'reviewer-1' }] });
      // The main story charges and records paid + shipping while the approval's audit write is held.
      await until('the charge and its transitions', () => world.states(order.orderId).includes('shipping'));
      auditHeld.open();
      expect(await approved).toMatchObject({ accepted: true });
      expect(((await handle.result()) as OrderResult).state).toBe('completed');
      await replays(handle);
    });
    expect(world.events.map((e) => e.type)).toContain('review_approved');
  });

  it('a cancel whose audit write is slower than the refund replays to the same commands', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const policy = testPolicy({ reviewMs: 20_000, deadlineMs: 40_000 }, 'deadline');
    const auditHeld = new Gate();
    world.onRecordEvent = (type) => (type === 'cancel_requested' ? holdUntil(auditHeld) : undefined);
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy });
      await until('the review to start', () => world.states(order.orderId).includes('in_review'));
      const cancelled = handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] });
      await until('the refund', () => world.count('RefundPayment') > 0);
      auditHeld.open();
      expect(await cancelled).toMatchObject({ accepted: true });
      await handle.result().catch(() => undefined);
      await replays(handle);
    });
    expect(world.states(order.orderId).at(-1)).toBe('cancelled');
  });

  it('an address change whose audit write is slower than the charge replays to the same commands', async () => {
    const world = new FakeWorld();
    const order = newOrder();
    const policy = testPolicy({ reviewMs: 300, deadlineMs: 40_000 }, 'deadline');
    const auditHeld = new Gate();
    const chargeHeld = new Gate();
    world.onCharge = () => holdUntil(chargeHeld);
    world.onRecordEvent = (type) => (type === 'address_updated' ? holdUntil(auditHeld) : undefined);
    await withWorkers(world, async () => {
      const handle = await startOrder({ order, policy });
      await until('the charge to start', () => chargeHeld.reached);
      const changed = handle.executeUpdate(updateAddressUpdate, { args: [{ address: { street: '2 Second St', city: 'Shelbyville' } }] });
      await until('the address audit to start', () => auditHeld.reached);
      chargeHeld.open();
      await until('the charge and its transitions', () => world.states(order.orderId).includes('shipping'));
      auditHeld.open();
      expect(await changed).toMatchObject({ accepted: true });
      expect(((await handle.result()) as OrderResult).state).toBe('completed');
      await replays(handle);
    });
    expect(world.dispatchedTo.at(-1)).toEqual({ street: '2 Second St', city: 'Shelbyville' });
  });

  it.each([0, 20, 40, 60, 80])(
    'an approval whose audit write and the charge finish together (%i ms apart) replays to the same commands',
    async (apartMs) => {
      const world = new FakeWorld();
      const order = newOrder();
      const policy = testPolicy({ reviewMs: 20_000, deadlineMs: 40_000 }, 'deadline');
      const held = new Gate();
      world.onRecordEvent = (type) => (type === 'review_approved' ? holdUntil(held) : undefined);
      world.onCharge = () => holdUntil(held);
      await withWorkers(world, async () => {
        const handle = await startOrder({ order, policy });
        await until('the review to start', () => world.states(order.orderId).includes('in_review'));
        const approved = handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'reviewer-1' }] });
        await until('the charge to start', () => world.count('ChargePayment') > 0);
        await new Promise((resolve) => setTimeout(resolve, apartMs));
        held.open();
        expect(await approved).toMatchObject({ accepted: true });
        expect(((await handle.result()) as OrderResult).state).toBe('completed');
        await replays(handle);
      });
      expect(world.events.map((e) => e.type)).toContain('review_approved');
    },
  );

  it.each([0, 1, 2])(
    'an address change during the charge, its audit write and the charge finishing together (run %i), replays to the same commands',
    async (run) => {
      const world = new FakeWorld();
      const order = newOrder();
      const policy = testPolicy({ reviewMs: 300, deadlineMs: 40_000 }, 'deadline');
      const held = new Gate();
      world.onCharge = () => holdUntil(held);
      let auditStarted = false;
      world.onRecordEvent = (type) => {
        if (type !== 'address_updated') return undefined;
        auditStarted = true;
        return holdUntil(held);
      };
      await withWorkers(world, async () => {
        const handle = await startOrder({ order, policy });
        await until('the charge to start', () => world.count('ChargePayment') > 0);
        // Past the task's heartbeat when run > 0, so the update comes in a new task while the charge is in flight.
        await new Promise((resolve) => setTimeout(resolve, run * 1_500));
        const changed = handle.executeUpdate(updateAddressUpdate, { args: [{ address: { street: '2 Second St', city: 'Shelbyville' } }] });
        await until('the address audit to start', () => auditStarted, 10_000);
        await new Promise((resolve) => setTimeout(resolve, 300));
        held.open();
        expect(await changed).toMatchObject({ accepted: true });
        expect(((await handle.result()) as OrderResult).state).toBe('completed');
        await replays(handle);
      });
    },
  );
});
