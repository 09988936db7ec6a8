import { startIsolatedStack } from '@order-fulfillment/stack';
import type { IsolatedStack } from '@order-fulfillment/stack';

declare global {
  var __E2E__: IsolatedStack | undefined;
}

/** Starts the whole system once for the e2e suite, as quick-start does, on free ports. */
export default async function globalSetup(): Promise<void> {
  // The suite's main API runs without a key and without a rate limit (one client sends
  // everything); the API key and the limits are tested on APIs of their own (api-security).
  const e2e = await startIsolatedStack('e2e', { ORDER_REVIEW_MS: '1000', LOG_LEVEL: 'warn', ALLOW_FAULT_INJECTION: 'true', AUTH_DISABLED: 'true', RATE_LIMIT_MAX: '0', METRICS_CACHE_MS: '0' });
  globalThis.__E2E__ = e2e;
  process.env['E2E_API_URL'] = e2e.stack.apiUrl;
  process.env['E2E_METRICS_URL'] = e2e.stack.apiMetricsUrl;
  process.env['E2E_DATABASE_URL'] = e2e.stack.databaseUrl;
  process.env['E2E_TEMPORAL_ADDRESS'] = e2e.stack.temporalAddress;
  process.env['E2E_LOGS'] = e2e.logsDir;
}
