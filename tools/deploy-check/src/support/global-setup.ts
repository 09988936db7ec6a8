import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startTemporalServer, startTestDatabase, temporalCliForTests } from '@order-fulfillment/infra';
import type { TemporalServer, TestDatabase } from '@order-fulfillment/infra';

declare global {
  var __DEPLOY_CHECK__: { temporal: TemporalServer; database: TestDatabase } | undefined;
}

/**
 * The infrastructure the images run against in images.spec.ts: a Temporal dev
 * server and a PostgreSQL database of their own, on free ports. Started here,
 * outside the test sandbox, because embedded PostgreSQL is an ES module.
 */
export default async function globalSetup(): Promise<void> {
  const logs = mkdtempSync(join(tmpdir(), 'deploy-check-infra-'));
  const database = await startTestDatabase('deploy_check');
  try {
    const temporal = await startTemporalServer({ cli: temporalCliForTests(), port: await freePort(), uiPort: await freePort(), logFile: join(logs, 'temporal.log') });
    globalThis.__DEPLOY_CHECK__ = { temporal, database };
  } catch (err) {
    await database.stop();
    throw err;
  }
  process.env['DEPLOY_CHECK_DATABASE_URL'] = database.url;
  process.env['DEPLOY_CHECK_TEMPORAL_ADDRESS'] = globalThis.__DEPLOY_CHECK__.temporal.address;
}
