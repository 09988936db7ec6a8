/**
 * What the Temporal server did per order, counted by the server itself: the
 * dev server's Prometheus counters (`--metrics-port`), read before and after
 * a variant's ladder. Workflow tasks are what the issue asks to cut ("each
 * signal, timer and activity wake-up costs one"); counted here, not inferred
 * from a history.
 */

/** One counter: a metric, an operation, and the service that counts it (each request is counted by every service it passes). */
interface CounterSpec {
  metric: 'service_requests' | 'persistence_requests';
  operations: readonly string[];
  service: 'frontend' | 'history';
}

/** The figures kept per order, and where each comes from. */
export const SERVER_WORK: Record<keyof ServerWork, CounterSpec> = {
  // Completed by a worker through the frontend: one per workflow task a worker ran to the end.
  workflowTasks: { metric: 'service_requests', operations: ['RespondWorkflowTaskCompleted'], service: 'frontend' },
  workflowTaskFailures: { metric: 'service_requests', operations: ['RespondWorkflowTaskFailed'], service: 'frontend' },
  // Remote activities only: a local activity runs inside a workflow task.
  activityTasks: { metric: 'service_requests', operations: ['RespondActivityTaskCompleted', 'RespondActivityTaskFailed'], service: 'frontend' },
  // Counted by the history service: a client's signals and those one workflow sends another.
  signals: { metric: 'service_requests', operations: ['SignalWorkflowExecution'], service: 'history' },
  updates: { metric: 'service_requests', operations: ['UpdateWorkflowExecution'], service: 'frontend' },
  // Writes of a workflow's state and new history events to the server's database.
  historyWrites: { metric: 'persistence_requests', operations: ['CreateWorkflowExecution', 'UpdateWorkflowExecution'], service: 'history' },
};

export interface ServerWork {
  workflowTasks: number;
  workflowTaskFailures: number;
  activityTasks: number;
  signals: number;
  updates: number;
  historyWrites: number;
}

/** Counter values by `metric|operation|service`, for one namespace, from Prometheus' text format. */
export type Counters = Map<string, number>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseCounters(text: string, namespace: string): Counters {
  const counters: Counters = new Map();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, metric, rawLabels, rawValue] = match as unknown as [string, string, string, string];
    if (metric !== 'service_requests' && metric !== 'persistence_requests') continue;
    const labels = Object.fromEntries([...rawLabels.matchAll(LABEL)].map((m) => [m[1], m[2]]));
    if (labels['namespace'] !== namespace || !labels['operation'] || !labels['service_name']) continue;
    const value = Number(rawValue);
    if (!Number.isFinite(value)) continue;
    const key = `${metric}|${labels['operation']}|${labels['service_name']}`;
    counters.set(key, (counters.get(key) ?? 0) + value);
  }
  return counters;
}

/** Per order, what the counters grew by between two readings; null without both readings or orders. */
export function serverWorkPerOrder(before: Counters | null, after: Counters | null, orders: number): ServerWork | null {
  if (!before || !after || orders <= 0) return null;
  const per = (spec: CounterSpec): number => {
    const grew = spec.operations.reduce((sum, op) => {
      const key = `${spec.metric}|${op}|${spec.service}`;
      return sum + Math.max(0, (after.get(key) ?? 0) - (before.get(key) ?? 0));
    }, 0);
    return Math.round((grew / orders) * 100) / 100;
  };
  return Object.fromEntries(Object.entries(SERVER_WORK).map(([name, spec]) => [name, per(spec)])) as unknown as ServerWork;
}

/** Reads the server's counters; null when it cannot be reached (the figures are then left out, not guessed). */
export async function readCounters(metricsUrl: string | null, namespace: string): Promise<Counters | null> {
  if (!metricsUrl) return null;
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return null;
    return parseCounters(await response.text(), namespace);
  } catch {
    return null;
  }
}
