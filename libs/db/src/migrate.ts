/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL and exits.
 * Run once per deploy (a Kubernetes Job), never on every pod start.
 */
import { migrate } from './data-source';

async function main(): Promise<void> {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    console.error('db:migrate: DATABASE_URL is not set (for example postgres://postgres@127.0.0.1:5432/orders)');
    process.exit(2);
  }
  const applied = await migrate(url);
  console.log(applied.length ? `db:migrate: applied ${applied.join(', ')}` : 'db:migrate: schema is up to date');
}

main().catch((err: unknown) => {
  console.error(`db:migrate: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
