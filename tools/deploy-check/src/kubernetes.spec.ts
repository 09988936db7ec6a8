/**
 * The Kubernetes manifests: every overlay renders, every object it renders is
 * valid against the Kubernetes schemas, and the rendered objects keep the
 * promises the design makes (probes, limits, restricted security context,
 * graceful worker shutdown, one autoscaler per worker, shipping scaling alone).
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { find, kustomize, kustomizeWithComponents, parseObjects, validateObject } from './support/kubernetes';
import type { K8sObject } from './support/kubernetes';
import { APPS, WORKERS, read, root } from './support/repo';

const k8s = join(root, 'k8s');
const overlays = readdirSync(join(k8s, 'overlays'));
const rendered = new Map<string, K8sObject[]>();
const render = (overlay: string): K8sObject[] => {
  if (!rendered.has(overlay)) rendered.set(overlay, kustomize(join(k8s, 'overlays', overlay)));
  return rendered.get(overlay) as K8sObject[];
};
const withMetrics = () => kustomizeWithComponents(join(k8s, 'overlays', 'prod'), [join(k8s, 'components', 'worker-metrics')]);
const podSpec = (deployment: K8sObject) => deployment['spec'].template.spec;
const container = (deployment: K8sObject) => podSpec(deployment).containers[0];

describe('Kubernetes manifests', () => {
  it('has the dev and prod overlays', () => {
    expect(overlays).toEqual(expect.arrayContaining(['dev', 'prod']));
  });

  describe.each(overlays.map((o) => [o]))('overlay %s', (overlay) => {
    it('renders, and every object validates against the Kubernetes schemas', () => {
      const objects = render(overlay);
      expect(objects.length).toBeGreaterThan(10);
      for (const object of objects) validateObject(object);
    });

    it('puts every object in one namespace', () => {
      const namespaced = render(overlay).filter((o) => o.kind !== 'Namespace');
      const namespaces = new Set(namespaced.map((o) => o.metadata.namespace));
      expect(namespaces.size).toBe(1);
      expect(render(overlay).filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual([...namespaces]);
    });

    it.each(APPS.map((a) => [a]))('deploys %s with probes, requests and limits, and a restricted security context', (app) => {
      const deployment = find(render(overlay), 'Deployment', app);
      const pod = podSpec(deployment);
      const c = container(deployment);
      expect(deployment['spec'].selector.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
      expect(deployment['spec'].template.metadata.labels).toMatchObject(deployment['spec'].selector.matchLabels);
      expect(c.image).toMatch(new RegExp(`(^|/)order-fulfillment/${app}:[\\w.-]+$`));
      const ports = new Set(c.ports.map((p: { name: string }) => p.name));
      // The api's readiness is its liveness (see 'the api drains…' below); a worker is ready while it polls.
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        expect(c[probe].httpGet.path).toBe(probe === 'readinessProbe' && app !== 'api' ? '/health/ready' : '/health/live');
        expect(ports).toContain(c[probe].httpGet.port);
      }
      expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    it.each(WORKERS.map((a) => [a]))('gives %s more time to stop than its shutdown grace, and probes its health port', (app) => {
      const objects = render(overlay);
      const config = find(objects, 'ConfigMap', 'order-fulfillment-config')['data'];
      const deployment = find(objects, 'Deployment', app);
      const graceMs = Number(config.WORKER_SHUTDOWN_GRACE_MS);
      expect(graceMs).toBeGreaterThan(0);
      expect(podSpec(deployment).terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs + 5_000);
      const health = container(deployment).ports.find((p: { name: string }) => p.name === 'health');
      expect(String(health.containerPort)).toBe(config.WORKER_HEALTH_PORT);
    });

    it('has an autoscaler and a disruption budget for each worker, and a PDB and Service for the api', () => {
      const objects = render(overlay);
      for (const app of WORKERS) {
        expect(autoscalerOf(objects, app)).not.toBeNull();
        expect(find(objects, 'PodDisruptionBudget', app)['spec'].selector.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
      }
      expect(find(objects, 'PodDisruptionBudget', 'api')['spec'].selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'api' });
      const service = find(objects, 'Service', 'api');
      expect(service['spec'].selector).toEqual({ 'app.kubernetes.io/name': 'api' });
      expect(service['spec'].ports[0]).toMatchObject({ port: 8000, targetPort: 'http' });
    });

    it('sets no spec.replicas on a Deployment that an autoscaler owns (an apply would reset the count)', () => {
      const objects = render(overlay);
      const owned = objects.filter((o) => o.kind === 'Deployment' && autoscalerOf(objects, o.metadata.name));
      expect(owned.map((d) => d.metadata.name).sort()).toEqual([...WORKERS].sort());
      expect(owned.filter((d) => 'replicas' in d['spec']).map((d) => d.metadata.name)).toEqual([]);
    });

    it('names the migration Job after the release (its api image tag): a new release is a new Job', () => {
      const objects = render(overlay);
      const jobs = objects.filter((o) => o.kind === 'Job');
      const tag = container(find(objects, 'Deployment', 'api')).image.split(':').pop();
      expect(jobs.map((j) => j.metadata.name)).toEqual([`db-migrate-${tag}`]);
    });

    it('runs the migrations once, as a Job on the api image', () => {
      const objects = render(overlay);
      const job = objects.filter((o) => o.kind === 'Job')[0];
      const c = job['spec'].template.spec.containers[0];
      expect(c.command).toEqual(['node', 'libs/db/dist/migrate.js']);
      expect(c.image).toBe(container(find(objects, 'Deployment', 'api')).image);
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    });

    it('limits the apps network traffic with a NetworkPolicy', () => {
      const policies = render(overlay).filter((o) => o.kind === 'NetworkPolicy');
      const apps = policies.find((p) => p['spec'].policyTypes.includes('Egress'));
      expect(apps?.['spec'].podSelector.matchExpressions).toEqual(
        expect.arrayContaining([{ key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'worker', 'migration'] }]),
      );
      const egressPorts = apps?.['spec'].egress.flatMap((rule: { ports: Array<{ port: number }> }) => rule.ports.map((p) => p.port));
      expect(egressPorts).toEqual(expect.arrayContaining([53, 5432, 7233]));
    });

    it.each(WORKERS.map((a) => [a]))('%s serves Prometheus metrics on its metrics port, and a NetworkPolicy lets the scrape in', (app) => {
      const objects = render(overlay);
      const config = find(objects, 'ConfigMap', 'order-fulfillment-config')['data'];
      const deployment = find(objects, 'Deployment', app);
      const metrics = container(deployment).ports.find((p: { name: string }) => p.name === 'metrics');
      expect(Number(config.WORKER_METRICS_PORT)).toBeGreaterThan(0);
      expect(String(metrics?.containerPort)).toBe(config.WORKER_METRICS_PORT);
      expect(ingressAllowed(objects, deployment, Number(config.WORKER_METRICS_PORT))).toBe(true);
    });

    it('the api\'s metrics port is allowed in too (main\'s METRICS_PORT)', () => {
      const objects = render(overlay);
      const api = find(objects, 'Deployment', 'api');
      const metrics = container(api).ports.find((p: { name: string }) => p.name === 'metrics');
      expect(ingressAllowed(objects, api, metrics.containerPort)).toBe(true);
      // …and not a port nothing listens on.
      expect(ingressAllowed(objects, api, 9999)).toBe(false);
    });

    it('the api drains before it stops, and a Temporal blip does not empty its Service', () => {
      const api = find(render(overlay), 'Deployment', 'api');
      const c = container(api);
      const drain = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
      expect(drain).toBeGreaterThanOrEqual(5);
      // The drain and Nest's own shutdown fit in the grace period.
      expect(podSpec(api).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(drain + 15);
      // /health/ready asks Temporal (apps/api/src/health/health.controller.ts): every pod would fail it at once.
      expect(c.readinessProbe.httpGet.path).not.toBe('/health/ready');
    });
  });

  describe.each(['prod', 'prod-keda'].map((o) => [o]))('%s at its largest', (overlay) => {
    /** PostgreSQL's stock max_connections, less its superuser_reserved_connections. */
    const AVAILABLE_CONNECTIONS = 100 - 3;

    it('every pod, at the maximum replicas plus a rolling update surge, fits a stock PostgreSQL max_connections', () => {
      const objects = render(overlay);
      const usage = objects
        .filter((o) => o.kind === 'Deployment')
        .map((d) => {
          const pool = (container(d).env ?? []).find((e: { name: string }) => e.name === 'DATABASE_POOL_SIZE')?.value;
          const pods = (autoscalerOf(objects, d.metadata.name)?.max ?? d['spec'].replicas) + Number(d['spec'].strategy?.rollingUpdate?.maxSurge ?? 1);
          return { name: d.metadata.name, pool: Number(pool), pods };
        });
      // Each app's pool is set explicitly (the apps' own defaults are 10 and 20).
      expect(usage.filter((u) => !(u.pool > 0)).map((u) => u.name)).toEqual([]);
      const migration = 1; // libs/db's migrate uses one connection
      const total = usage.reduce((sum, u) => sum + u.pool * u.pods, migration);
      expect({ total, fits: total <= AVAILABLE_CONNECTIONS, usage }).toMatchObject({ fits: true });
    });
  });

  it('prod: shipping-worker has its own autoscaler, with more room than order-worker', () => {
    const objects = render('prod');
    const shipping = find(objects, 'HorizontalPodAutoscaler', 'shipping-worker');
    expect(shipping['spec'].scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shipping-worker' });
    expect(shipping['spec'].maxReplicas).toBeGreaterThan(find(objects, 'HorizontalPodAutoscaler', 'order-worker')['spec'].maxReplicas);
    expect(shipping['spec'].minReplicas).toBeGreaterThanOrEqual(2);
  });

  it('prod ships no Secret: secrets are created outside the repository', () => {
    expect(render('prod').filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('prod-keda: KEDA scales shipping-worker on the shipping-tq backlog, in place of its HPA, within prod\'s bounds and namespace', () => {
    const prod = render('prod');
    const objects = render('prod-keda');
    const scaled = find(objects, 'ScaledObject', 'shipping-worker');
    const hpa = find(prod, 'HorizontalPodAutoscaler', 'shipping-worker')['spec'];
    expect(scaled['spec'].scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'shipping-worker' });
    expect([scaled['spec'].minReplicaCount, scaled['spec'].maxReplicaCount]).toEqual([hpa.minReplicas, hpa.maxReplicas]);
    const [trigger] = scaled['spec'].triggers;
    expect(scaled['spec'].triggers).toHaveLength(1);
    expect(trigger).toMatchObject({ type: 'temporal', metadata: { taskQueue: 'shipping-tq', endpointFromEnv: 'TEMPORAL_ADDRESS' } });
    expect(trigger.metadata.namespace).toBe(find(prod, 'ConfigMap', 'order-fulfillment-config')['data'].TEMPORAL_NAMESPACE);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => o.metadata.name)).toEqual(['order-worker']);
    // Everything else is prod's.
    const rest = (list: typeof objects) => list.filter((o) => !['ScaledObject', 'TriggerAuthentication', 'HorizontalPodAutoscaler'].includes(o.kind));
    expect(rest(objects)).toEqual(rest(prod));
  });

  it('prod-keda: the autoscalers are sized from the measured per-pod shipping rate (ADR 046)', () => {
    // ADR 046: one slot ships 0.312/s with a 3 s carrier (npm run bench, scale-out step); a shipment
    // may wait 5 s in shipping-tq; the design peak is 100 shipments/s.
    const PER_SLOT_PER_SECOND = 0.312;
    const QUEUE_WAIT_S = 5;
    const PEAK_PER_SECOND = 100;
    const objects = render('prod-keda');
    const env = container(find(objects, 'Deployment', 'shipping-worker')).env as Array<{ name: string; value: string }>;
    const slots = Number(env.find((e) => e.name === 'SHIPPING_WORKER_SLOTS')?.value);
    const perPod = slots * PER_SLOT_PER_SECOND;
    const scaled = find(objects, 'ScaledObject', 'shipping-worker')['spec'];
    expect(slots).toBeGreaterThan(0);
    expect(scaled.triggers[0].metadata.targetQueueSize).toBe(String(Math.floor(perPod * QUEUE_WAIT_S)));
    expect(scaled.maxReplicaCount).toBe(Math.ceil(PEAK_PER_SECOND / perPod));
  });

  it('prod-keda: the scaler authenticates with the apps\' Temporal Cloud API key or mTLS certificate', () => {
    const objects = render('prod-keda');
    const [trigger] = find(objects, 'ScaledObject', 'shipping-worker')['spec'].triggers;
    const auth = find(objects, 'TriggerAuthentication', trigger.authenticationRef.name)['spec'].secretTargetRef;
    expect(auth).toEqual(
      expect.arrayContaining([
        { parameter: 'apiKey', name: 'order-fulfillment-secrets', key: 'TEMPORAL_API_KEY' },
        { parameter: 'cert', name: 'temporal-client-tls', key: 'tls.crt' },
        { parameter: 'key', name: 'temporal-client-tls', key: 'tls.key' },
      ]),
    );
  });

  it('the KEDA component follows the overlay it is applied on (another namespace and bounds)', () => {
    const objects = kustomizeFromProd({ namespace: 'billing', minReplicas: 5, maxReplicas: 12 }, [join(k8s, 'components', 'keda-shipping')]);
    const scaled = find(objects, 'ScaledObject', 'shipping-worker')['spec'];
    expect([scaled.triggers[0].metadata.namespace, scaled.minReplicaCount, scaled.maxReplicaCount]).toEqual(['billing', 5, 12]);
  });

  it('a new release (another image tag) renders a new migration Job; the same release the same Job', () => {
    const next = kustomizeFromProd({ tag: '0.2.0' });
    expect(next.filter((o) => o.kind === 'Job').map((j) => j.metadata.name)).toEqual(['db-migrate-0.2.0']);
    expect(render('prod').filter((o) => o.kind === 'Job').map((j) => j.metadata.name)).toEqual(['db-migrate-0.1.0']);
  });

  it('the worker-metrics component: a ServiceMonitor scrapes each worker\'s metrics port', () => {
    const objects = withMetrics();
    for (const object of objects) validateObject(object);
    const monitor = find(objects, 'ServiceMonitor', 'workers')['spec'];
    const services = objects.filter((o) => o.kind === 'Service' && Object.entries(monitor.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    for (const app of WORKERS) {
      const service = services.find((s) => s['spec'].selector['app.kubernetes.io/name'] === app);
      expect(service?.['spec'].ports).toEqual([expect.objectContaining({ name: 'metrics', targetPort: 'metrics' })]);
    }
    expect(monitor.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
  });

  it('the Secret template is valid and holds no real secret', () => {
    const path = join(k8s, 'secret.template.yaml');
    expect(existsSync(path)).toBe(true);
    const [secret] = parseObjects(read(path));
    validateObject(secret);
    expect(Object.values(secret['stringData'] as Record<string, string>).every((v) => v.includes('CHANGE_ME'))).toBe(true);
  });

  it('the validator does reject a broken object (the check can fail)', () => {
    const deployment = structuredClone(find(render('prod'), 'Deployment', 'api'));
    deployment['spec'].replicas = 'three';
    delete deployment['spec'].template.spec.containers[0].name;
    expect(() => validateObject(deployment)).toThrow(/Deployment\/api .*replicas must be integer.*must have required property name/s);
    expect(() => validateObject({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'x' } })).toThrow(/no schema known/);
  });
});

/** The autoscaler's bounds for a Deployment: its HPA, or KEDA's ScaledObject. */
function autoscalerOf(objects: K8sObject[], deployment: string): { min: number; max: number } | null {
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o['spec'].scaleTargetRef.name === deployment);
  if (hpa) return { min: hpa['spec'].minReplicas, max: hpa['spec'].maxReplicas };
  const scaled = objects.find((o) => o.kind === 'ScaledObject' && o['spec'].scaleTargetRef.name === deployment);
  return scaled ? { min: scaled['spec'].minReplicaCount, max: scaled['spec'].maxReplicaCount } : null;
}

/**
 * The prod overlay rendered with some of its values changed, as its owner
 * would edit them (another release tag, namespace, shipping bounds), and
 * optionally with components on top: a copy of its kustomization in a temp folder.
 */
function kustomizeFromProd(change: { tag?: string; namespace?: string; minReplicas?: number; maxReplicas?: number }, components: string[] = []): K8sObject[] {
  const prodDir = join(k8s, 'overlays', 'prod');
  const dir = mkdtempSync(join(tmpdir(), 'kustomize-prod-'));
  try {
    const overlay = mkdtempSync(join(dir, 'overlay-'));
    const kustomization = parse(read(join(prodDir, 'kustomization.yaml')));
    kustomization.resources = kustomization.resources.map((r: string) => {
      if (r.endsWith('.yaml')) {
        copyFileSync(join(prodDir, r), join(overlay, r));
        return r;
      }
      return relative(overlay, join(prodDir, r));
    });
    if (change.tag) for (const image of kustomization.images) image.newTag = change.tag;
    for (const patch of kustomization.patches as Array<{ target: { kind: string; name?: string }; patch: string }>) {
      if (change.namespace && patch.target.kind === 'ConfigMap') patch.patch = patch.patch.replace(/value: orders/, `value: ${change.namespace}`);
      if (patch.target.kind === 'HorizontalPodAutoscaler' && patch.target.name === 'shipping-worker') {
        if (change.minReplicas) patch.patch = patch.patch.replace(/(minReplicas\n\s+value: )\d+/, `$1${change.minReplicas}`);
        if (change.maxReplicas) patch.patch = patch.patch.replace(/(maxReplicas\n\s+value: )\d+/, `$1${change.maxReplicas}`);
      }
    }
    writeFileSync(join(overlay, 'kustomization.yaml'), stringify(kustomization));
    return components.length ? kustomizeWithComponents(overlay, components) : kustomize(overlay);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether some NetworkPolicy selecting this Deployment's pods admits TCP traffic to `port`. */
function ingressAllowed(objects: K8sObject[], deployment: K8sObject, port: number): boolean {
  const labels = deployment['spec'].template.metadata.labels as Record<string, string>;
  const selects = (selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }) =>
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    (selector.matchExpressions ?? []).every((e) => {
      if (e.operator === 'In') return (e.values ?? []).includes(labels[e.key]);
      if (e.operator === 'NotIn') return !(e.values ?? []).includes(labels[e.key]);
      if (e.operator === 'Exists') return e.key in labels;
      return !(e.key in labels);
    });
  return objects.some(
    (o) =>
      o.kind === 'NetworkPolicy' &&
      selects(o['spec'].podSelector) &&
      (o['spec'].ingress ?? []).some((rule: { ports?: Array<{ port: number | string; protocol?: string }> }) => rule.ports?.some((p) => Number(p.port) === Number(port))),
  );
}
