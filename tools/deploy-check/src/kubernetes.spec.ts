/**
 * The Kubernetes manifests: every overlay renders, every object it renders is
 * valid against the Kubernetes schemas, and the rendered objects keep the
 * promises the design makes (probes, limits, restricted security context,
 * graceful worker shutdown, one autoscaler per worker, shipping scaling alone).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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
const withKeda = () => kustomizeWithComponents(join(k8s, 'overlays', 'prod'), [join(k8s, 'components', 'keda-shipping')]);
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
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        expect(c[probe].httpGet.path).toBe(probe === 'readinessProbe' ? '/health/ready' : '/health/live');
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
        expect(find(objects, 'HorizontalPodAutoscaler', app)['spec'].scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
        expect(find(objects, 'PodDisruptionBudget', app)['spec'].selector.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
      }
      expect(find(objects, 'PodDisruptionBudget', 'api')['spec'].selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'api' });
      const service = find(objects, 'Service', 'api');
      expect(service['spec'].selector).toEqual({ 'app.kubernetes.io/name': 'api' });
      expect(service['spec'].ports[0]).toMatchObject({ port: 8000, targetPort: 'http' });
    });

    it('runs the migrations once, as a Job on the api image', () => {
      const objects = render(overlay);
      const job = find(objects, 'Job', 'db-migrate');
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

  it('the KEDA component scales shipping-worker on the shipping-tq backlog and replaces its HPA', () => {
    const objects = withKeda();
    for (const object of objects) validateObject(object);
    const scaled = find(objects, 'ScaledObject', 'shipping-worker');
    expect(scaled['spec'].scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'shipping-worker' });
    expect(scaled['spec'].triggers).toEqual([expect.objectContaining({ type: 'temporal', metadata: expect.objectContaining({ taskQueue: 'shipping-tq' }) })]);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => o.metadata.name)).toEqual(['order-worker']);
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
