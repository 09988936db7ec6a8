/**
 * Determinism guard: every recorded branch history must replay against the
 * current workflow code. A change that would break running workflows fails here.
 *
 * - test/histories/*.json: this release's branches, produced by the workflow
 *   tests with RECORD_HISTORIES=1 and committed.
 * - test/histories/v1/*.json: the previous release's (before the
 *   `money-and-goods-v2` patch), kept as they were recorded: orders of that
 *   release still running during a rolling update must replay (ADR 009).
 * - test/histories/pre-search-attributes/*.json: branches recorded before the
 *   `order-search-attributes` patch (ADR 043), kept as they were recorded.
 * - test/histories/pre-dispatch-update/: every branch, order and shipping
 *   children (`shipping/<branch>-<attempt>.json`), recorded before the
 *   `dispatch-approval-update` patch (ADR 047), when the child asked by signal.
 * - test/histories/shipping/*.json: this release's shipping children.
 * - test/histories/pre-local-retries/: recorded before ADR 049, when a
 *   local-activity retry whose backoff was over 100 ms waited on a server
 *   timer (`local-retry-chain`: money-and-goods.spec.ts's chain of failing
 *   charges, cancelled, at e78a7d8 with a recordHistory call added).
 * - test/histories/pre-handlers-at-once/: every branch, order and shipping
 *   children, recorded before ADR 051, when the cancel, address and approval
 *   handlers answered only after their audit write.
 * - test/histories/pre-one-marker/: every branch, order and shipping children,
 *   recorded before ADR 052, with one patch marker per change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import {
  HISTORIES_DIR,
  PRE_DISPATCH_UPDATE_DIR,
  PRE_HANDLERS_AT_ONCE_DIR,
  PRE_LOCAL_RETRIES_DIR,
  PRE_ONE_MARKER_DIR,
  PRE_SEARCH_ATTRIBUTES_DIR,
  V1_HISTORIES_DIR,
  shippingDir,
} from './histories';

// Failed workflows and activities are what these tests provoke: keep their expected warnings out of the output.
Runtime.install({ logger: new DefaultLogger('ERROR') });

/** The previous release's recorded branches; never re-recorded. */
const V1_BRANCHES = [
  'happy-path',
  'validation-failed',
  'cancel-in-review',
  'cancel-after-payment',
  'cancel-refused-after-dispatch',
  'address-updated',
  'approved-early',
  'dispatch-retried',
  'shipping-exhausted',
  'deadline-exceeded',
  'payment-failed',
  'deadline-mode-retries',
];

/** This release's recorded branches. */
const BRANCHES = [...V1_BRANCHES, 'late-after-dispatch', 'dispatch-resumed', 'cancel-during-charge', 'refund-owed'];

/** Recorded before OrderWorkflow upserted search attributes; never re-recorded. */
const PRE_SEARCH_ATTRIBUTES_BRANCHES = ['happy-path', 'cancel-after-payment', 'deadline-exceeded', 'dispatch-retried'];

/** Recorded before ADR 049; never re-recorded. Its local-activity retries waited on server timers. */
const PRE_LOCAL_RETRIES_BRANCHES = ['local-retry-chain'];

/** The shipping children those branches started (`<branch>-<attempt>`). */
const SHIPPING_CHILDREN = [
  'address-updated-1',
  'approved-early-1',
  'cancel-after-payment-1',
  'cancel-refused-after-dispatch-1',
  'deadline-exceeded-1',
  'deadline-mode-retries-1',
  'dispatch-resumed-1',
  'dispatch-retried-1',
  'dispatch-retried-2',
  'happy-path-1',
  'late-after-dispatch-1',
  'refund-owed-1',
  'shipping-exhausted-1',
  'shipping-exhausted-2',
  'shipping-exhausted-3',
];

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/index.ts'), logger: new DefaultLogger('WARN') });
}, 60_000);

const recorded = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();

async function replay(dir: string, branch: string): Promise<void> {
  const history = historyFromJSON(JSON.parse(readFileSync(join(dir, `${branch}.json`), 'utf8')));
  const results = Worker.runReplayHistories({ workflowBundle: bundle }, [{ workflowId: branch, history }]);
  for await (const result of results) {
    expect(result.error).toBeUndefined();
  }
}

/** The patch ids a recorded history's markers carry, in order. */
function patchIds(dir: string, name: string): string[] {
  type Marker = { details?: Record<string, { payloads?: Array<{ data?: string }> }> };
  const { events } = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as {
    events: Array<{ markerRecordedEventAttributes?: Marker }>;
  };
  return events.flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data === undefined ? [] : [(JSON.parse(Buffer.from(data, 'base64').toString()) as { id: string }).id];
  });
}

describe('replay of recorded histories', () => {
  it('has a recorded history for every branch, of this release and the previous one', () => {
    expect(recorded(HISTORIES_DIR)).toEqual([...BRANCHES].sort());
    expect(recorded(V1_HISTORIES_DIR)).toEqual([...V1_BRANCHES].sort());
    expect(recorded(PRE_SEARCH_ATTRIBUTES_DIR)).toEqual([...PRE_SEARCH_ATTRIBUTES_BRANCHES].sort());
  });

  it.each(BRANCHES)('%s replays deterministically', (branch) => replay(HISTORIES_DIR, branch));

  it.each(V1_BRANCHES)("the previous release's %s still replays (rolling update)", (branch) => replay(V1_HISTORIES_DIR, branch));

  it.each(PRE_SEARCH_ATTRIBUTES_BRANCHES)('%s from before the search attributes still replays (rolling update)', (branch) =>
    replay(PRE_SEARCH_ATTRIBUTES_DIR, branch),
  );

  it.each(PRE_LOCAL_RETRIES_BRANCHES)(
    '%s from before quick retries waited in the worker still replays (rolling update)',
    async (branch) => {
      expect(recorded(PRE_LOCAL_RETRIES_DIR)).toEqual([...PRE_LOCAL_RETRIES_BRANCHES].sort());
      // The point of the fixture: a local activity's retry that waited on a server timer.
      const events = (
        JSON.parse(readFileSync(join(PRE_LOCAL_RETRIES_DIR, `${branch}.json`), 'utf8')) as {
          events: Array<Record<string, { startToFireTimeout?: string }>>;
        }
      ).events;
      expect(events.some((e) => e['timerStartedEventAttributes']?.startToFireTimeout === '0.126s')).toBe(true);
      await replay(PRE_LOCAL_RETRIES_DIR, branch);
    },
  );

  it('has the shipping children of every branch that shipped, of this release and from before the dispatch update', () => {
    for (const dir of [HISTORIES_DIR, PRE_DISPATCH_UPDATE_DIR]) {
      expect(recorded(shippingDir(dir))).toEqual([...SHIPPING_CHILDREN].sort());
    }
    expect(recorded(PRE_DISPATCH_UPDATE_DIR)).toEqual([...BRANCHES].sort());
  });

  it.each(SHIPPING_CHILDREN)('shipping child %s replays deterministically', (child) => replay(shippingDir(HISTORIES_DIR), child));

  it.each(BRANCHES)('%s from before the dispatch update still replays (rolling update)', (branch) =>
    replay(PRE_DISPATCH_UPDATE_DIR, branch),
  );

  it.each(SHIPPING_CHILDREN)('shipping child %s from before the dispatch update still replays (rolling update)', (child) =>
    replay(shippingDir(PRE_DISPATCH_UPDATE_DIR), child),
  );

  it('has every branch and shipping child from before the handlers answered at once', () => {
    expect(recorded(PRE_HANDLERS_AT_ONCE_DIR)).toEqual([...BRANCHES].sort());
    expect(recorded(shippingDir(PRE_HANDLERS_AT_ONCE_DIR))).toEqual([...SHIPPING_CHILDREN].sort());
  });

  it.each(BRANCHES)('%s from before the handlers answered at once still replays (rolling update)', (branch) =>
    replay(PRE_HANDLERS_AT_ONCE_DIR, branch),
  );

  it.each(SHIPPING_CHILDREN)('shipping child %s from before the handlers answered at once still replays (rolling update)', (child) =>
    replay(shippingDir(PRE_HANDLERS_AT_ONCE_DIR), child),
  );

  it('has every branch and shipping child from before one marker per workflow', () => {
    expect(recorded(PRE_ONE_MARKER_DIR)).toEqual([...BRANCHES].sort());
    expect(recorded(shippingDir(PRE_ONE_MARKER_DIR))).toEqual([...SHIPPING_CHILDREN].sort());
  });

  it.each(BRANCHES)('%s from before one marker per workflow still replays (rolling update)', (branch) =>
    replay(PRE_ONE_MARKER_DIR, branch),
  );

  it.each(SHIPPING_CHILDREN)('shipping child %s from before one marker per workflow still replays (rolling update)', (child) =>
    replay(shippingDir(PRE_ONE_MARKER_DIR), child),
  );

  it('records one patch marker per workflow in this release, and one per change before it', () => {
    expect(patchIds(HISTORIES_DIR, 'happy-path')).toEqual(['order-one-marker']);
    expect(patchIds(shippingDir(HISTORIES_DIR), 'happy-path-1')).toEqual(['shipping-one-marker']);
    expect(patchIds(PRE_ONE_MARKER_DIR, 'happy-path')).toHaveLength(4);
    expect(patchIds(shippingDir(PRE_ONE_MARKER_DIR), 'happy-path-1')).toHaveLength(2);
  });

  it('records the handlers patch in the histories from before one marker, and not in those from before the patch', () => {
    expect(patchIds(PRE_ONE_MARKER_DIR, 'approved-early')).toContain('handlers-answer-at-once');
    expect(patchIds(PRE_HANDLERS_AT_ONCE_DIR, 'approved-early')).not.toContain('handlers-answer-at-once');
  });
});
