/**
 * docker/compose.yaml (no Docker engine here, so checked statically): the
 * seed's setup, with healthchecks and start-up ordering by depends_on
 * conditions, built from our Dockerfiles, migrating with the Job's command.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { find, kustomize } from './support/kubernetes';
import { APPS, WORKERS, read, root } from './support/repo';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  restart?: string;
  environment?: Record<string, string>;
}

const compose = parse(read(join(root, 'docker', 'compose.yaml'))) as { services: Record<string, Service> };
const services = compose.services;

describe('docker/compose.yaml', () => {
  it('runs PostgreSQL, the Temporal dev server, the migrations and the three apps', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'order-worker', 'postgres', 'shipping-worker', 'temporal']);
  });

  it('builds each app from its Dockerfile, with the repository root as context', () => {
    for (const app of APPS) {
      const build = services[app].build;
      expect(build).toEqual({ context: '..', dockerfile: `docker/${app}.Dockerfile` });
      expect(existsSync(join(root, 'docker', build?.context ?? '', build?.dockerfile ?? ''))).toBe(true);
    }
  });

  it('serves the Temporal UI on 8233 and the API on 8000', () => {
    expect(services['temporal'].command).toEqual(expect.arrayContaining(['server', 'start-dev', '--ip', '0.0.0.0']));
    expect(services['temporal'].ports).toEqual(expect.arrayContaining(['7233:7233', '8233:8233']));
    expect(services['api'].ports).toEqual(['8000:8000']);
  });

  it('has a healthcheck on every long-running service', () => {
    for (const name of ['postgres', 'temporal', ...APPS]) expect(services[name].healthcheck?.test.length).toBeGreaterThan(1);
  });

  it('migrates once, after PostgreSQL is healthy, with the same command as the Kubernetes Job, before any app starts', () => {
    const job = find(kustomize(join(root, 'k8s', 'overlays', 'dev')), 'Job', 'db-migrate-dev');
    expect(services['migrate'].command).toEqual(job['spec'].template.spec.containers[0].command);
    expect(services['migrate'].image).toBe(services['api'].image);
    expect(services['migrate'].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const app of APPS) {
      expect(services[app].depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' }, temporal: { condition: 'service_healthy' } });
    }
  });

  it('restarts an app that dies, but not one stopped on purpose, and never re-runs the migrations', () => {
    for (const app of APPS) expect(services[app].restart).toBe('unless-stopped');
    expect(services['migrate'].restart).toBe('no');
  });

  it('gives workers longer to stop than their shutdown grace (10 s)', () => {
    for (const app of WORKERS) expect(Number.parseInt(services[app].stop_grace_period ?? '10s', 10)).toBeGreaterThan(15);
  });
});
