export default async function globalTeardown(): Promise<void> {
  const e2e = globalThis.__E2E__;
  if (!e2e) return;
  await e2e.stack.stop();
  await e2e.database.stop();
}
