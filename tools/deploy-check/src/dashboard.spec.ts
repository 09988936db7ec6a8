/**
 * The Grafana dashboard (k8s/components/observability/dashboard.json) and the
 * component that ships it: the JSON parses, every panel's PromQL names only
 * series the apps export (the app's metric catalogue and the SDK metrics the
 * e2e observability test finds in a real scrape), the panels the issue asks
 * for are there, the completion-time panel draws the 15 s budget line, and
 * the component renders the dashboard's ConfigMap and both ServiceMonitors.
 */
import { join } from 'node:path';
import { workerSeriesNames } from '@order-fulfillment/contracts';
import { find, kustomizeWithComponents, validateObject } from './support/kubernetes';
import type { K8sObject } from './support/kubernetes';
import { read, root } from './support/repo';

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: Array<{ value: number | null }> }; custom?: { thresholdsStyle?: { mode: string } } } };
}

const component = join(root, 'k8s', 'components', 'observability');
const dashboardText = read(join(component, 'dashboard.json'));

/** PromQL words that are not series names. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'le', 'inf', 'nan']);

/** The series names a PromQL expression reads: identifiers that are not functions, aggregations, labels or keywords. */
function seriesNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges ([5m], [$__rate_interval])
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '') // grouping labels
    .replace(/\$\w+/g, ''); // Grafana variables
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const word = match[0];
    const next = stripped.slice((match.index ?? 0) + word.length).trimStart();
    if (next.startsWith('(') || PROMQL_WORDS.has(word.toLowerCase())) continue; // a function or aggregation
    names.push(word);
  }
  return names;
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(dashboardText) as { title: string; uid: string; panels: Panel[] };
  const panels = dashboard.panels;
  const exported = new Set(workerSeriesNames());

  it('parses, with a title, a uid and panels that each have a query', () => {
    expect(dashboard.title).toBe('Order fulfillment');
    expect(dashboard.uid).toMatch(/^[\w-]+$/);
    expect(panels.length).toBeGreaterThanOrEqual(6);
    for (const panel of panels) expect(panel.targets?.length).toBeGreaterThan(0);
  });

  it('every query names only series the workers export', () => {
    const unknown = panels.flatMap((p) => (p.targets ?? []).flatMap((t) => seriesNames(t.expr).filter((name) => !exported.has(name)).map((name) => `${p.title}: ${name}`)));
    expect(unknown).toEqual([]);
    // …and every query names at least one.
    expect(panels.flatMap((p) => (p.targets ?? []).filter((t) => seriesNames(t.expr).length === 0).map((t) => t.expr))).toEqual([]);
  });

  it('has the panels operators ask for: outcomes, completion time, retries and faults, backlog per queue, slots', () => {
    const titles = panels.map((p) => p.title);
    for (const wanted of [/orders per second by outcome/i, /completion time/i, /retries and faults/i, /backlog/i, /slots/i]) {
      expect(titles.some((t) => wanted.test(t))).toBe(true);
    }
    const exprOf = (title: RegExp) => (panels.find((p) => title.test(p.title))?.targets ?? []).map((t) => t.expr).join(' ');
    expect(exprOf(/backlog/i)).toMatch(/by \(le, task_queue\)/);
    expect(exprOf(/outcome/i)).toMatch(/by \(state, reason\)/);
  });

  it('draws the 15 s budget as a line on the completion-time percentiles (in ms)', () => {
    const panel = panels.find((p) => /completion time/i.test(p.title)) as Panel;
    const defaults = panel.fieldConfig?.defaults;
    expect(defaults?.unit).toBe('ms');
    expect(defaults?.custom?.thresholdsStyle?.mode).toBe('line');
    expect(defaults?.thresholds?.steps.map((s) => s.value)).toContain(15_000);
    expect((panel.targets ?? []).map((t) => /histogram_quantile\((0\.\d+)/.exec(t.expr)?.[1])).toEqual(['0.50', '0.95', '0.99']);
  });

  it('rejects a query that names a series nobody exports (the check can fail)', () => {
    expect(seriesNames('sum by (state) (rate(order_finishd[5m]))').filter((n) => !exported.has(n))).toEqual(['order_finishd']);
    expect(seriesNames('histogram_quantile(0.95, sum by (le) (rate(order_duration_bucket{state="completed"}[$__rate_interval])))')).toEqual(['order_duration_bucket']);
  });
});

describe('the observability component', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = kustomizeWithComponents(join(root, 'k8s', 'overlays', 'prod'), [component]);
  });

  it('renders valid objects: the dashboard ConfigMap for Grafana\'s sidecar, with dashboard.json as is', () => {
    for (const object of objects) validateObject(object);
    const config = find(objects, 'ConfigMap', 'order-fulfillment-dashboard');
    expect(config.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(config['data']['dashboard.json']).toBe(dashboardText);
  });

  it('has a ServiceMonitor for the workers and one for the api, each selecting a Service on the pods\' metrics port', () => {
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['api', 'workers']);
    for (const monitor of monitors) {
      const selector = monitor['spec'].selector.matchLabels as Record<string, string>;
      const services = objects.filter((o) => o.kind === 'Service' && Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v));
      expect(services.length).toBeGreaterThan(0);
      for (const service of services) {
        const app = service['spec'].selector['app.kubernetes.io/name'];
        const container = find(objects, 'Deployment', app)['spec'].template.spec.containers[0];
        const port = container.ports.find((p: { name: string }) => p.name === 'metrics');
        expect(service['spec'].ports[0].port).toBe(port.containerPort);
        expect(monitor['spec'].endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
      }
    }
  });
});
