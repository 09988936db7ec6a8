import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchAttributeSpecs } from '@order-fulfillment/contracts';
import { freePort, repoRoot, startTemporalServer, startTestDatabase, temporalCliForTests } from '@order-fulfillment/infra';
import type { TemporalServer, TestDatabase } from '@order-fulfillment/infra';

declare global {
  var __IMAGE_TEST__: { temporal: TemporalServer; database: TestDatabase } | undefined;
}

/** At most this long for the three builds (and the stand-in base when it is not cached yet). */
const BUILD_TIMEOUT_MS = 25 * 60_000;

/**
 * Builds the three images with scripts/images/build.sh (its progress goes to
 * this terminal), then starts what the containers run against, on this
 * machine: a Temporal dev server and a PostgreSQL database of their own
 * (DATABASE_URL's server, or an embedded PostgreSQL), on free ports. The
 * containers share the host's network, so 127.0.0.1 is the same for both.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const build = spawnSync('bash', [join(repoRoot(), 'scripts', 'images', 'build.sh'), 'test'], {
    cwd: repoRoot(),
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: BUILD_TIMEOUT_MS,
  });
  if (build.error) throw new Error(`scripts/images/build.sh could not run: ${build.error.message}`);
  if (build.status !== 0) throw new Error(`scripts/images/build.sh failed (${build.status ?? build.signal}); its output is above`);
  process.env['IMAGE_TEST_BUILD'] = join(repoRoot(), '.tools', 'images', 'build.json');
  process.env['IMAGE_TEST_BUILD_MS'] = String(Date.now() - started);

  const logs = mkdtempSync(join(tmpdir(), 'image-test-infra-'));
  const database = await startTestDatabase('image_test');
  try {
    const temporal = await startTemporalServer({ cli: temporalCliForTests(), port: await freePort(), uiPort: await freePort(), logFile: join(logs, 'temporal.log'), searchAttributes: searchAttributeSpecs() });
    globalThis.__IMAGE_TEST__ = { temporal, database };
  } catch (err) {
    await database.stop();
    throw err;
  }
  process.env['IMAGE_TEST_DATABASE_URL'] = database.url;
  process.env['IMAGE_TEST_TEMPORAL_ADDRESS'] = globalThis.__IMAGE_TEST__.temporal.address;
}
