export default async function globalTeardown(): Promise<void> {
  await globalThis.__CLI_STACK__?.stop();
}
