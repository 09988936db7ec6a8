/**
 * What the run reports about workflows that never settle, read from a real
 * Temporal dev server: one whose task queue nobody polls, and one whose history
 * is there to be read. A workflow that ended is not reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort, startTemporalServer, temporalCliForTests } from '@order-fulfillment/infra';
import type { TemporalServer } from '@order-fulfillment/infra';
import { captureStuckWorkflows, formatStuckWorkflows } from './stuck';

jest.setTimeout(120_000);

let dir: string;
let server: TemporalServer;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stuck-'));
  server = await startTemporalServer({ cli: temporalCliForTests(), port: await freePort(), uiPort: await freePort(), logFile: join(dir, 'temporal.log') });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Visibility is written after the fact: wait (polling, with a deadline) until it shows `n` running. */
async function runningCountIs(n: number): Promise<void> {
  const giveUp = Date.now() + 10_000;
  let count = -1;
  while (Date.now() < giveUp) {
    count = (await client.workflow.count('ExecutionStatus = "Running"')).count;
    if (count === n) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`visibility shows ${count} running workflows, expected ${n}`);
}

describe('captureStuckWorkflows', () => {
  it('names each running workflow, what it waits on, and its history, and leaves out the ones that ended', async () => {
    await client.workflow.start('NobodyRunsThis', { taskQueue: 'nobody-polls', workflowId: 'stuck-1', args: [{ orderId: 'o-1' }] });
    const ended = await client.workflow.start('NobodyRunsThis', { taskQueue: 'nobody-polls', workflowId: 'ended-1' });
    await ended.terminate('not part of the test');
    await client.workflow.getHandle('stuck-1').signal('DispatchFailed', { attempt: 1 });
    await runningCountIs(1);

    const stuck = await captureStuckWorkflows(client);

    expect(stuck.map((s) => [s.workflowId, s.type])).toEqual([['stuck-1', 'NobodyRunsThis']]);
    const [only] = stuck;
    expect(only?.error).toBeUndefined();
    expect(only?.pendingWorkflowTask).toMatchObject({ state: 'PENDING_WORKFLOW_TASK_STATE_SCHEDULED', attempt: 1 });
    expect(only?.lastEvents).toEqual(['1 WORKFLOW_EXECUTION_STARTED', '2 WORKFLOW_TASK_SCHEDULED', '3 WORKFLOW_EXECUTION_SIGNALED [DispatchFailed]']);
    const text = formatStuckWorkflows(stuck);
    expect(text).toContain('still running: stuck-1 (NobodyRunsThis');
    expect(text).toContain('pending workflow task: PENDING_WORKFLOW_TASK_STATE_SCHEDULED, attempt 1');
    expect(text).toContain('  | 3 WORKFLOW_EXECUTION_SIGNALED [DispatchFailed]');
  });

  it('stops at the limit it is given', async () => {
    for (const id of ['stuck-2', 'stuck-3']) await client.workflow.start('NobodyRunsThis', { taskQueue: 'nobody-polls', workflowId: id });
    await runningCountIs(3);
    expect(await captureStuckWorkflows(client, 2)).toHaveLength(2);
  });
});
