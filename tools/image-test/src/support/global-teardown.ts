export default async function globalTeardown(): Promise<void> {
  const infra = globalThis.__IMAGE_TEST__;
  if (!infra) return;
  await infra.temporal.stop();
  await infra.database.stop();
}
