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

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env['RECORD_HISTORIES'] !== '1') return;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  // The canonical proto3 JSON form, as `temporal workflow show --output json` writes it.
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}
