/**
 * Determinism guard: every recorded branch history (test/histories/*.json,
 * produced by the workflow tests with RECORD_HISTORIES=1 and committed) must
 * replay against the current workflow code. A change that would break
 * running workflows fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { HISTORIES_DIR } from './histories';

// Failed workflows and activities are what these tests provoke: keep their expected warnings out of the output.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const BRANCHES = [
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

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/index.ts'), logger: new DefaultLogger('WARN') });
}, 60_000);

describe('replay of recorded histories', () => {
  it('has a recorded history for every branch', () => {
    const recorded = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    expect(recorded.sort()).toEqual([...BRANCHES].sort());
  });

  it.each(BRANCHES)('%s replays deterministically', async (branch) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, `${branch}.json`), 'utf8')));
    const results = Worker.runReplayHistories({ workflowBundle: bundle }, [{ workflowId: branch, history }]);
    for await (const result of results) {
      expect(result.error).toBeUndefined();
    }
  });
});
