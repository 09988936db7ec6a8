import { startIsolatedStack } from '@order-fulfillment/stack';
import type { IsolatedStack } from '@order-fulfillment/stack';

declare global {
  var __CLI_STACK__: IsolatedStack | undefined;
}

/**
 * Starts the whole system once for the CLI suite, as quick-start does (fault
 * injection allowed, the default 2 s review), on free ports.
 */
export default async function globalSetup(): Promise<void> {
  // Without a key (the CLI's key handling is tested against an API of its own) and without a rate limit.
  const running = await startIsolatedStack('cli', { LOG_LEVEL: 'warn', ALLOW_FAULT_INJECTION: 'true', AUTH_DISABLED: 'true', RATE_LIMIT_MAX: '0' });
  globalThis.__CLI_STACK__ = running;
  process.env['CLI_TEST_API_URL'] = running.stack.apiUrl;
  process.env['CLI_TEST_LOGS'] = running.logsDir;
  // For tests that start an API of their own against the same system.
  process.env['CLI_TEST_DATABASE_URL'] = running.stack.databaseUrl;
  process.env['CLI_TEST_TEMPORAL_ADDRESS'] = running.stack.temporalAddress;
}
