/**
 * Replay fixtures: with RECORD_HISTORIES=1 the workflow tests save each
 * branch's event history under test/histories/, to be committed; the replay
 * test then proves the current workflow code still replays every one of them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = join(__dirname, 'histories');
/** The previous release's histories (before the money-and-goods patch), kept as recorded. */
export const V1_HISTORIES_DIR = join(HISTORIES_DIR, 'v1');
/** Recorded before the `order-search-attributes` patch (ADR 043), kept as recorded. */
export const PRE_SEARCH_ATTRIBUTES_DIR = join(HISTORIES_DIR, 'pre-search-attributes');
/** Recorded before the `dispatch-approval-update` patch (ADR 047), kept as recorded: orders and their shipping children. */
export const PRE_DISPATCH_UPDATE_DIR = join(HISTORIES_DIR, 'pre-dispatch-update');
/**
 * Recorded before ADR 049 (local-activity retries under 1 s waiting in the worker): a chain of
 * deadline-mode retries that waited on server timers between attempts, kept as recorded.
 */
export const PRE_LOCAL_RETRIES_DIR = join(HISTORIES_DIR, 'pre-local-retries');
/**
 * Every branch, order and shipping children, recorded before the
 * `handlers-answer-at-once` patch (ADR 051), when the cancel, address and
 * approval handlers waited for their audit write before answering.
 */
export const PRE_HANDLERS_AT_ONCE_DIR = join(HISTORIES_DIR, 'pre-handlers-at-once');
/**
 * Every branch, order and shipping children, recorded before ADR 052 (one
 * patch marker per change, the first search-attribute values upserted in the
 * first task, `shipping` and `charged` upserted apart from the attempt).
 */
export const PRE_ONE_MARKER_DIR = join(HISTORIES_DIR, 'pre-one-marker');
/** Where each directory keeps its ShippingWorkflow histories (`<branch>-<attempt>.json`). */
export const shippingDir = (dir: string): string => join(dir, 'shipping');

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env['RECORD_HISTORIES'] !== '1') return;
  // RECORD_HISTORIES_DIR sets aside a release's histories before a workflow change (see replay.spec.ts).
  const dir = process.env['RECORD_HISTORIES_DIR'] ?? HISTORIES_DIR;
  const history = await handle.fetchHistory();
  save(dir, name, history);
  // The shipping children the order started, each under its own name: ShippingWorkflow replays too.
  for (const event of history.events ?? []) {
    const childId = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    if (!childId) continue;
    const attempt = childId.split('-').pop();
    const child = await handle.client.getHandle(childId).fetchHistory();
    save(shippingDir(dir), `${name}-${attempt}`, child);
  }
}

function save(dir: string, name: string, history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): void {
  mkdirSync(dir, { recursive: true });
  // The canonical proto3 JSON form, as `temporal workflow show --output json` writes it.
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}
