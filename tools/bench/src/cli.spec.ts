/**
 * The built bench CLI, as `npm run bench` runs it: `--help` prints the usage and exits 0 without
 * starting a run; a flag it does not know is refused with exit 2, naming it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@order-fulfillment/stack';
import { USAGE } from './args';

const run = (args: string[]) =>
  spawnSync(process.execPath, [join(repoRoot(), 'tools/bench/dist/cli.js'), ...args], { encoding: 'utf8', timeout: 20_000 });

it('prints its usage for --help and exits 0', () => {
  const result = run(['--help']);
  expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: `${USAGE}\n`, stderr: '' });
});

it('refuses a flag it does not know, naming it, and exits 2', () => {
  const result = run(['--colour', 'red']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('bench: unknown argument --colour');
  expect(result.stdout).toBe('');
});
