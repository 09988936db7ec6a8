import { parseCounters, serverWorkPerOrder } from './server-work';

// Lines as the Temporal dev server's /metrics serves them (help and type lines included).
const scrape = (tasks: number, writes: number, signals: number) => `# HELP service_requests service_requests counter
# TYPE service_requests counter
service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="frontend"} ${tasks}
service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} ${tasks}
service_requests{namespace="temporal_system",operation="RespondWorkflowTaskCompleted",service_name="frontend"} 999
service_requests{namespace="default",operation="SignalWorkflowExecution",service_name="frontend"} 1
service_requests{namespace="default",operation="SignalWorkflowExecution",service_name="history"} ${signals}
service_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="frontend"} 10
persistence_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} ${writes}
persistence_requests{namespace="default",operation="CreateWorkflowExecution",service_name="history"} 20
service_latency_bucket{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="frontend",le="0.1"} 5000
`;

describe('server work per order', () => {
  it("counts each figure at the service named for it, in the stacks' namespace only", () => {
    const counters = parseCounters(scrape(60, 150, 20), 'default');
    expect(counters.get('service_requests|RespondWorkflowTaskCompleted|frontend')).toBe(60);
    expect(counters.get('persistence_requests|UpdateWorkflowExecution|history')).toBe(150);
    expect([...counters.keys()].some((k) => k.startsWith('service_latency'))).toBe(false);
    expect(parseCounters(scrape(60, 150, 20), 'other').size).toBe(0);
  });

  it('divides what each counter grew by between two readings by the orders accepted', () => {
    const before = parseCounters(scrape(60, 150, 20), 'default');
    const after = parseCounters(scrape(120, 330, 40), 'default');
    // 10 orders: 60 tasks more (frontend only, not history's count of the same requests), 180 + 0 writes, 20 signals.
    expect(serverWorkPerOrder(before, after, 10)).toEqual({
      workflowTasks: 6,
      workflowTaskFailures: 0,
      activityTasks: 0,
      signals: 2,
      updates: 0,
      historyWrites: 18,
    });
  });

  it('gives nothing rather than a guess without both readings or without orders', () => {
    const counters = parseCounters(scrape(60, 150, 20), 'default');
    expect(serverWorkPerOrder(null, counters, 10)).toBeNull();
    expect(serverWorkPerOrder(counters, null, 10)).toBeNull();
    expect(serverWorkPerOrder(counters, counters, 0)).toBeNull();
  });
});
