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
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { HISTORIES_DIR, PRE_SEARCH_ATTRIBUTES_DIR, V1_HISTORIES_DIR } from './histories';

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
const BRANCHES = [
  ...V1_BRANCHES,
  'late-after-dispatch',
  'dispatch-resumed',
  'cancel-during-charge',
  'refund-owed',
];

/** Recorded before OrderWorkflow upserted search attributes; never re-recorded. */
const PRE_SEARCH_ATTRIBUTES_BRANCHES = ['happy-path', 'cancel-after-payment', 'deadline-exceeded', 'dispatch-retried'];

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

describe('replay of recorded histories', () => {
  it('has a recorded history for every branch, of this release and the previous one', () => {
    expect(recorded(HISTORIES_DIR)).toEqual([...BRANCHES].sort());
    expect(recorded(V1_HISTORIES_DIR)).toEqual([...V1_BRANCHES].sort());
    expect(recorded(PRE_SEARCH_ATTRIBUTES_DIR)).toEqual([...PRE_SEARCH_ATTRIBUTES_BRANCHES].sort());
  });

  it.each(BRANCHES)('%s replays deterministically', (branch) => replay(HISTORIES_DIR, branch));

  it.each(V1_BRANCHES)('the previous release\'s %s still replays (rolling update)', (branch) => replay(V1_HISTORIES_DIR, branch));

  it.each(PRE_SEARCH_ATTRIBUTES_BRANCHES)('%s from before the search attributes still replays (rolling update)', (branch) =>
    replay(PRE_SEARCH_ATTRIBUTES_DIR, branch),
  );
});
