/**
 * The CLI honours Retry-After: against an API that admits one order in flight
 * (ADMISSION_MAX_IN_FLIGHT=1), a second `order start-workflow` is refused
 * with 503 while the first is in its review; the CLI says so on stderr, waits
 * as asked and sends the same request again, and the order is started.
 */
import { join } from 'node:path';
import { appEntry, freePort, repoRoot, spawnManaged, waitFor } from '@order-fulfillment/stack';
import type { ManagedProcess } from '@order-fulfillment/stack';
import { order, uniqueId, waitForOrder } from './support/cli';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the CLI suite global setup did not run`);
  return value;
};

describe('a busy API (admission control)', () => {
  let api: ManagedProcess;
  let url: string;
  let metricsUrl: string;
  beforeAll(async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    api = spawnManaged('api-busy', process.execPath, [appEntry(repoRoot(), 'api')], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        AUTH_DISABLED: 'true',
        RATE_LIMIT_MAX: '0',
        ADMISSION_MAX_IN_FLIGHT: '1',
        ADMISSION_REFRESH_MS: '200',
        ORDER_REVIEW_MS: '2500',
        DATABASE_URL: required('CLI_TEST_DATABASE_URL'),
        TEMPORAL_ADDRESS: required('CLI_TEST_TEMPORAL_ADDRESS'),
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        HOST: '127.0.0.1',
        METRICS_HOST: '127.0.0.1',
      },
      logFile: join(required('CLI_TEST_LOGS'), `api-busy-${port}.log`),
    });
    await waitFor(`api-busy ${url}/health/ready`, async () => (await fetch(`${url}/health/ready`).catch(() => null))?.ok === true, { timeoutMs: 30_000, intervalMs: 100 });
  });
  afterAll(async () => {
    await api?.stop('SIGTERM', 15_000);
  });

  it('start-workflow waits Retry-After with a message on stderr, sends the same request again and starts the order', async () => {
    // Orders of earlier tests stop counting once they end or pass their deadline.
    await waitFor('nothing in flight', async () => /^admission_in_flight 0$/m.test(await (await fetch(metricsUrl)).text()), { timeoutMs: 30_000, intervalMs: 250 });
    const env = { ORDER_API_URL: url };
    const first = uniqueId('cli-busy');
    expect((await order(['start-workflow', first, uniqueId('pmt')], { env })).code).toBe(0);

    const second = uniqueId('cli-busy');
    const r = await order(['start-workflow', second, uniqueId('pmt')], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`order ${second}: the API is busy \\(503: the system is at capacity \\(1 orders in flight, limit 1\\).*\\); sending the same request again in \\d+ s`));
    expect(r.stdout).toContain(`started order ${second}`);
    // The first had ended (or passed its deadline) before the second was admitted.
    const firstEnd = await waitForOrder(first, (o) => o.state === 'completed', 25_000);
    const secondEnd = await waitForOrder(second, (o) => o.state === 'completed', 25_000);
    expect(new Date(secondEnd.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(firstEnd.updatedAt).getTime() - 1_000);
  }, 90_000);
});
