/**
 * A worker started against a database that answers and refuses (here: no such
 * database) stops at once with one line and exit 2, as the API does (ADR 053).
 * Waiting would not mend it; a database that does not answer at all is waited
 * for instead (libs/db/test/reachable.spec.ts, the chaos suite, the image test).
 */
import { join } from 'node:path';
import { appEntry, repoRoot, spawnManaged } from '@order-fulfillment/stack';
import { startupRefusal } from './support/extra-api';
import { databaseUrl, logsDir, temporalAddress, uniqueId } from './support/helpers';

describe.each(['order-worker', 'shipping-worker'] as const)('%s against a database that refuses the connection', (app) => {
  it('stops with one line naming DATABASE_URL and exit 2', async () => {
    const missing = new URL(databaseUrl());
    missing.pathname = `/${uniqueId('no_such_db').replace(/-/g, '_')}`;
    const logFile = join(logsDir(), `${app}-db-refused.log`);
    const proc = spawnManaged(`${app}-db-refused`, process.execPath, [appEntry(repoRoot(), app)], {
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: missing.toString(), TEMPORAL_ADDRESS: temporalAddress() },
      logFile,
    });
    const { code, output } = await startupRefusal(proc, logFile);
    expect(code).toBe(2);
    expect(output).toMatch(new RegExp(`${app}: configuration error: DATABASE_URL: the database refused the connection \\(database ".*" does not exist\\)`));
  }, 30_000);
});
