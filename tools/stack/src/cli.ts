/**
 * `node tools/stack/dist/cli.js up`: starts the whole system for development
 * and keeps it running until Ctrl-C (SIGINT), SIGTERM or SIGHUP (its terminal
 * closed), then stops everything it started. Ports and options come from the environment (see README).
 */
import { resolve, join } from 'node:path';
import { redact, startStack } from './stack';
import type { Stack } from './stack';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`stack: ${name}: "${raw}" is not a port number`);
    process.exit(2);
  }
  return value;
}

function count(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`stack: ${name}: "${raw}" must be a whole number from 1 to ${max}`);
    process.exit(2);
  }
  return value;
}

async function up(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const dataDir = resolve(process.env['STACK_DATA_DIR'] ?? join(root, '.data'));
  const log = (line: string) => console.log(`[stack] ${line}`);
  const ports = {
    api: port('API_PORT', 8000),
    temporal: port('TEMPORAL_PORT', 7233),
    temporalUi: port('TEMPORAL_UI_PORT', 8233),
    postgres: port('POSTGRES_PORT', 5433),
    apiMetrics: port('METRICS_PORT', 9464),
  };
  // Worker health ports count up from here: order-worker, shipping-worker, shipping-worker-2, ...
  const workerHealthBasePort = port('WORKER_HEALTH_BASE_PORT', 9470);
  const shippingWorkers = count('SHIPPING_WORKERS', 1, 32);
  // The development stack runs without authentication unless a key is given:
  // said here, and by the API in its log, so nobody mistakes it for a deployment.
  const apiKey = process.env['API_KEY'] || process.env['API_KEYS'];
  const auth = apiKey ? {} : { AUTH_DISABLED: 'true' };
  if (!apiKey) log('AUTH_DISABLED=true: the API accepts requests without a key (development only; set API_KEY to require one)');
  let stack: Stack | null = null;
  let stopping = false;
  const startUp = new AbortController();
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping everything`);
    if (!stack) {
      startUp.abort(); // startStack stops what it had started, then rejects
      return;
    }
    await stack.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The terminal closed: without this Node would end at once and leave PostgreSQL (which takes a
  // SIGHUP as "reload") and the rest running, holding the ports the next start needs.
  process.on('SIGHUP', () => void stop('SIGHUP'));

  const started = Date.now();
  try {
    stack = await startStack({
      signal: startUp.signal,
      root,
      dataDir,
      ports,
      databaseUrl: process.env['DATABASE_URL'] || undefined,
      temporalAddress: process.env['STACK_TEMPORAL_ADDRESS'] || undefined,
      temporalDbFile: join(dataDir, 'temporal.sqlite'),
      shippingWorkers,
      workerHealthBasePort,
      // A development stack accepts per-order fault plans (chaos testing, the demo).
      appEnv: {
        ALLOW_FAULT_INJECTION: process.env['ALLOW_FAULT_INJECTION'] ?? 'true',
        ...auth,
      },
      log,
    });
  } catch (err) {
    if (stopping) {
      log('stopped');
      process.exit(0);
    }
    throw err;
  }
  if (stopping) {
    await stack.stop();
    log('stopped');
    process.exit(0);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
  Order fulfillment is up (${seconds} s). Ctrl-C stops everything.

    API              http://localhost:${ports.api}
    API docs         http://localhost:${ports.api}/docs
    API auth         ${apiKey ? 'API_KEY required (Authorization: Bearer <key>)' : 'OFF (AUTH_DISABLED=true, development only)'}
    API metrics      http://localhost:${ports.apiMetrics}/metrics
    Temporal UI      ${stack.temporalUiUrl ?? '(external Temporal)'}
    Temporal gRPC    ${stack.temporalAddress}
    PostgreSQL       ${redact(stack.databaseUrl)}
    Workers          ${[...stack.workerHealthUrls].map(([name, url]) => `${name} ${url}/health/ready`).join('\n                     ')}
    Logs             ${join(dataDir, 'logs')}

  Try:
    curl -XPOST localhost:${ports.api}/orders -H 'content-type: application/json' -d '{"orderId":"order-123","paymentId":"pmt-123"}'
    curl localhost:${ports.api}/orders/order-123
`);
  // An app that dies is restarted by startStack's supervisor (with backoff),
  // which says so here: "[stack] order-worker exited (SIGKILL); restarting in 500 ms (restart #1)".
}

const command = process.argv[2] ?? 'up';
if (command !== 'up') {
  console.error(`usage: stack up`);
  process.exit(2);
}
up().catch((err: unknown) => {
  console.error(`[stack] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
