/**
 * The images' contents and start commands, without a Docker engine: after the
 * production build (this target depends on every project's `build` and on the
 * workers' `bundle`, so Nx has run them; nothing is built here), every path a
 * Dockerfile copies from its build stage exists, and each app starts exactly as
 * its image's CMD says (parsed from the Dockerfile, with the image's WORKDIR
 * as the repository root and its ENV, plus the Kubernetes ConfigMap), against a
 * real Temporal dev server and PostgreSQL. The schema comes from the migration
 * Job's command. Then an order goes through them, and the workers stop cleanly.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnManaged, waitFor } from '@order-fulfillment/infra';
import type { ManagedProcess } from '@order-fulfillment/infra';
import { parseDockerfile, runtimeOf } from './support/dockerfile';
import type { RuntimeSpec } from './support/dockerfile';
import { find, kustomize } from './support/kubernetes';
import { APPS, WORKERS, dockerfilePath, read, root } from './support/repo';
import type { App } from './support/repo';

const runtimes = Object.fromEntries(APPS.map((app) => [app, runtimeOf(parseDockerfile(read(dockerfilePath(app))))])) as Record<App, RuntimeSpec>;

/** An image path (absolute under WORKDIR, or relative to it) as a path in this checkout. */
const inRepo = (runtime: RuntimeSpec, path: string): string => join(root, path.startsWith('/') ? path.slice(runtime.workdir.length) : path);

describe('the images, from the build output', () => {
  it.each(APPS.map((a) => [a]))('%s: everything its Dockerfile copies from the build stage was built', (app) => {
    const runtime = runtimes[app];
    const built = runtime.copiedFromStages.filter((copy) => copy.stage === 'build');
    expect(built.length).toBeGreaterThan(0);
    for (const { source } of built) expect([source, existsSync(inRepo(runtime, source))]).toEqual([source, true]);
    expect(existsSync(inRepo(runtime, runtime.cmd[1]))).toBe(true);
  });

  it.each(WORKERS.map((a) => [a]))('%s: the pre-built workflow bundle is in what the image copies', (app) => {
    expect(existsSync(join(root, 'apps', app, 'dist', 'workflow-bundle.js'))).toBe(true);
  });

  describe('started as their containers start', () => {
    const config = find(kustomize(join(root, 'k8s', 'overlays', 'prod')), 'ConfigMap', 'order-fulfillment-config')['data'] as Record<string, string>;
    const job = find(kustomize(join(root, 'k8s', 'overlays', 'prod')), 'Job', 'db-migrate')['spec'].template.spec.containers[0];
    // Started by the global setup (support/global-setup.ts).
    const database = { url: required('DEPLOY_CHECK_DATABASE_URL') };
    const temporal = { address: required('DEPLOY_CHECK_TEMPORAL_ADDRESS') };
    let logs: string;
    const apps = new Map<App, ManagedProcess>();
    const ports = { api: 0, metrics: 0, health: { 'order-worker': 0, 'shipping-worker': 0 } as Record<string, number> };
    // Stands in for the Secret's API_KEY, as database.url does for its DATABASE_URL (the API refuses to start without one).
    const apiKey = randomBytes(32).toString('hex');

    /** The container's environment: the image's ENV, then the Deployment's (ConfigMap, Secret), then this machine's ports. */
    const containerEnv = (app: App): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'],
      ...runtimes[app].env,
      ...config,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      ORDER_REVIEW_MS: '500',
      ...(app === 'api' ? { PORT: String(ports.api), METRICS_PORT: String(ports.metrics), API_KEY: apiKey } : { WORKER_HEALTH_PORT: String(ports.health[app]) }),
    });

    const start = (app: App) => {
      const [command, ...args] = runtimes[app].cmd;
      expect(command).toBe('node');
      const child = spawnManaged(app, process.execPath, args, { cwd: root, env: containerEnv(app), logFile: join(logs, `${app}.log`) });
      apps.set(app, child);
      return child;
    };
    const healthUrl = (app: App, probe: 'live' | 'ready') =>
      app === 'api' ? `http://127.0.0.1:${ports.api}/health/${probe}` : `http://127.0.0.1:${ports.health[app]}/health/${probe}`;
    const log = (app: App) => readFileSync(join(logs, `${app}.log`), 'utf8');

    beforeAll(async () => {
      logs = mkdtempSync(join(tmpdir(), 'deploy-check-'));
      ports.api = await freePort();
      ports.metrics = await freePort();
      for (const app of WORKERS) ports.health[app] = await freePort();
    });

    afterAll(async () => {
      await Promise.all([...apps.values()].map((p) => p.stop('SIGTERM', 20_000)));
      rmSync(logs, { recursive: true, force: true });
    }, 60_000);

    it('migrates the database with the Job command, in the api image', () => {
      expect(job.image).toMatch(/order-fulfillment\/api:/);
      const [command, ...args] = job.command as string[];
      expect(command).toBe('node');
      const env = { PATH: process.env['PATH'], ...runtimes.api.env, DATABASE_URL: database.url };
      const run = () => spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
      const first = run();
      expect([first.status, first.stderr]).toEqual([0, '']);
      expect(first.stdout).toMatch(/db:migrate: applied /);
      const second = run();
      expect([second.status, second.stdout.trim()]).toEqual([0, 'db:migrate: schema is up to date']);
    });

    it('each app becomes ready on the probes Kubernetes uses; workers load the pre-built bundle', async () => {
      for (const app of APPS) {
        const child = start(app);
        const died = child.exited.then((code) => {
          throw new Error(`${app} exited (${code}):\n${log(app)}`);
        });
        died.catch(() => undefined);
        const ready = waitFor(`${app} ready`, async () => (await fetch(healthUrl(app, 'ready'))).ok, { timeoutMs: 60_000, intervalMs: 200 });
        await Promise.race([ready, died]).catch((err: Error) => {
          throw new Error(`${err.message}\n${app} log:\n${log(app)}`);
        });
        expect((await fetch(healthUrl(app, 'live'))).status).toBe(200);
      }
      for (const app of WORKERS) {
        expect(log(app)).toContain('loading pre-built workflow bundle');
        expect(log(app)).toContain(`apps/${app}/dist/workflow-bundle.js`);
        expect(log(app)).not.toContain('bundling workflows at start');
      }
    }, 150_000);

    it('an order goes through them to completed', async () => {
      const orderId = `deploy-${Date.now().toString(36)}`;
      const api = `http://127.0.0.1:${ports.api}`;
      const created = await fetch(`${api}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ orderId, paymentId: `pmt-${orderId}` }),
      });
      expect(created.status).toBe(201);
      const order = await waitFor(
        `order ${orderId} completed`,
        async () => {
          const body = (await (await fetch(`${api}/orders/${orderId}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as { state: string; shipping?: { carrierRef?: string } };
          return body.state === 'completed' ? body : null;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(order.shipping?.carrierRef).toBe(`trk-shipping-${orderId}-1`);
    }, 60_000);

    it('the workers stop cleanly on SIGTERM, within the pod grace period', async () => {
      for (const app of WORKERS) {
        const started = Date.now();
        expect(await (apps.get(app) as ManagedProcess).stop('SIGTERM', 30_000)).toBe(0);
        expect(Date.now() - started).toBeLessThan(Number(config['WORKER_SHUTDOWN_GRACE_MS']) + 5_000);
        expect(log(app)).toContain('worker stopped');
      }
    }, 90_000);
  });
});

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the deploy-check global setup did not run`);
  return value;
}
