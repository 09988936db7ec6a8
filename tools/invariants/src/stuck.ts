/**
 * Evidence about workflows still running when a run gives up waiting for them
 * to settle: what each one is waiting on (its pending workflow task and its
 * attempts, pending activities, pending children) and the tail of its history.
 * Captured while the stack is still up, because the dev server's state goes
 * with it; printed and kept in the report so a rare hang can be diagnosed from
 * a CI log alone.
 */
import type { Client as TemporalClient } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;

export interface StuckWorkflow {
  workflowId: string;
  runId: string;
  type: string;
  startedAt: string | null;
  historyLength: number;
  /** The pending workflow task, if any: its state, attempt and when it was first scheduled. */
  pendingWorkflowTask: { state: string; attempt: number; originalScheduledAt: string | null } | null;
  pendingActivities: Array<{ type: string; state: string; attempt: number; lastFailure: string | null }>;
  pendingChildren: Array<{ workflowId: string; type: string }>;
  /** The last events of its history, as `id type [detail]`. */
  lastEvents: string[];
  /** Set when the workflow could not be read. */
  error?: string;
}

const enumName = (values: Record<string, unknown>, value: unknown): string => {
  const name = Object.entries(values).find(([, v]) => v === value)?.[0];
  return name ?? String(value);
};

const isoOf = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null => {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
};

/** One history event as a short line: what it was and, for failures and timeouts, why. */
function describeEvent(event: temporal.api.history.v1.IHistoryEvent): string {
  const type = enumName(EventType as unknown as Record<string, unknown>, event.eventType).replace(/^EVENT_TYPE_/, '');
  const failure =
    event.workflowTaskFailedEventAttributes?.failure?.message ??
    event.activityTaskFailedEventAttributes?.failure?.message ??
    event.workflowExecutionFailedEventAttributes?.failure?.message ??
    event.childWorkflowExecutionFailedEventAttributes?.failure?.message;
  const signal = event.workflowExecutionSignaledEventAttributes?.signalName;
  const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
  const marker = event.markerRecordedEventAttributes?.markerName;
  const detail = [failure, signal, activity, marker].filter(Boolean).join('; ');
  return `${String(event.eventId)} ${type}${detail ? ` [${detail.slice(0, 200)}]` : ''}`;
}

export async function captureStuckWorkflows(client: TemporalClient, limit = 5, tail = 15): Promise<StuckWorkflow[]> {
  const stuck: StuckWorkflow[] = [];
  for await (const info of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    if (stuck.length >= limit) break;
    const entry: StuckWorkflow = {
      workflowId: info.workflowId,
      runId: info.runId,
      type: info.type,
      startedAt: info.startTime.toISOString(),
      historyLength: info.historyLength,
      pendingWorkflowTask: null,
      pendingActivities: [],
      pendingChildren: [],
      lastEvents: [],
    };
    try {
      const handle = client.workflow.getHandle(info.workflowId, info.runId);
      const { raw } = await handle.describe();
      const task = raw.pendingWorkflowTask;
      if (task) {
        entry.pendingWorkflowTask = {
          state: enumName(temporal.api.enums.v1.PendingWorkflowTaskState as unknown as Record<string, unknown>, task.state),
          attempt: task.attempt ?? 0,
          originalScheduledAt: isoOf(task.originalScheduledTime),
        };
      }
      entry.pendingActivities = (raw.pendingActivities ?? []).map((a) => ({
        type: a.activityType?.name ?? '?',
        state: enumName(temporal.api.enums.v1.PendingActivityState as unknown as Record<string, unknown>, a.state),
        attempt: a.attempt ?? 0,
        lastFailure: a.lastFailure?.message ?? null,
      }));
      entry.pendingChildren = (raw.pendingChildren ?? []).map((c) => ({ workflowId: c.workflowId ?? '?', type: c.workflowTypeName ?? '?' }));
      const history = await handle.fetchHistory();
      entry.lastEvents = (history.events ?? []).slice(-tail).map(describeEvent);
    } catch (err) {
      entry.error = err instanceof Error ? err.message : String(err);
    }
    stuck.push(entry);
  }
  return stuck;
}

export function formatStuckWorkflows(stuck: readonly StuckWorkflow[]): string {
  const lines: string[] = [];
  for (const s of stuck) {
    lines.push(`still running: ${s.workflowId} (${s.type}, started ${s.startedAt}, ${s.historyLength} events)${s.error ? ` - could not read: ${s.error}` : ''}`);
    const t = s.pendingWorkflowTask;
    lines.push(`  pending workflow task: ${t ? `${t.state}, attempt ${t.attempt}, first scheduled ${t.originalScheduledAt}` : 'none'}`);
    for (const a of s.pendingActivities) lines.push(`  pending activity: ${a.type} ${a.state} attempt ${a.attempt}${a.lastFailure ? ` (${a.lastFailure})` : ''}`);
    for (const c of s.pendingChildren) lines.push(`  pending child: ${c.workflowId} (${c.type})`);
    for (const e of s.lastEvents) lines.push(`  | ${e}`);
  }
  return lines.join('\n');
}
