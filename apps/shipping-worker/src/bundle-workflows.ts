/**
 * Build step: bundles the shipping workflows into dist/workflow-bundle.js, which the
 * worker loads in production. Any bundling error exits non-zero.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('@order-fulfillment/workflows/shipping') });
  const out = join(__dirname, 'workflow-bundle.js');
  await writeFile(out, code);
  console.log(`workflow bundle written: ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err: unknown) => {
  console.error('workflow bundle failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
