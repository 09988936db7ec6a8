import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, startStack, startTestDatabase } from '@order-fulfillment/stack';
import type { Stack, TestDatabase } from '@order-fulfillment/stack';

declare global {
  var __CLI_STACK__: { stack: Stack; database: TestDatabase } | undefined;
}

/**
 * Starts the whole system once for the CLI suite, as quick-start does (fault
 * injection allowed, the default 2 s review), on free ports.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'of-cli-'));
  const database = await startTestDatabase('cli');
  const stack = await startStack({
    root: repoRoot(),
    dataDir,
    ports: { api: await freePort(), temporal: await freePort(), temporalUi: await freePort(), postgres: 0 },
    databaseUrl: database.url,
    temporalDbFile: null,
    appEnv: { LOG_LEVEL: 'warn', ALLOW_FAULT_INJECTION: 'true' },
    log: () => undefined,
  });
  globalThis.__CLI_STACK__ = { stack, database };
  process.env['CLI_TEST_API_URL'] = stack.apiUrl;
  process.env['CLI_TEST_LOGS'] = join(dataDir, 'logs');
}
