import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, startStack, startTestDatabase } from '@order-fulfillment/stack';
import type { Stack, TestDatabase } from '@order-fulfillment/stack';

declare global {
  var __E2E__: { stack: Stack; database: TestDatabase } | undefined;
}

/** Starts the whole system once for the e2e suite, as quick-start does, on free ports. */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'of-e2e-'));
  const database = await startTestDatabase('e2e');
  const stack = await startStack({
    root: repoRoot(),
    dataDir,
    ports: { api: await freePort(), temporal: await freePort(), temporalUi: await freePort(), postgres: 0 },
    databaseUrl: database.url,
    temporalDbFile: null,
    appEnv: { ORDER_REVIEW_MS: '1000', LOG_LEVEL: 'warn', ALLOW_FAULT_INJECTION: 'true' },
    log: () => undefined,
  });
  globalThis.__E2E__ = { stack, database };
  process.env['E2E_API_URL'] = stack.apiUrl;
  process.env['E2E_DATABASE_URL'] = stack.databaseUrl;
  process.env['E2E_TEMPORAL_ADDRESS'] = stack.temporalAddress;
  process.env['E2E_LOGS'] = join(dataDir, 'logs');
}
