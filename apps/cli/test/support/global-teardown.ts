export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__CLI_STACK__;
  if (!running) return;
  await running.stack.stop();
  await running.database.stop();
}
