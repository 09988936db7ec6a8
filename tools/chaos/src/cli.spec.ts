/**
 * The harnesses' built CLIs, as `npm run test:chaos` and `npm run test:invariants` run them:
 * `--help` prints the usage and exits 0, and a flag they do not know is refused with exit 2,
 * naming it. Either way nothing starts: each run brings up whole stacks for minutes, so a
 * mistyped flag must not start the default run in its place (the chaos CLI used to ignore it).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@order-fulfillment/stack';

const CLIS = [
  ['chaos', 'tools/chaos/dist/cli.js', 'usage: npm run test:chaos --'],
  ['test:invariants', 'tools/invariants/dist/cli.js', 'usage: test:invariants'],
] as const;

const run = (cli: string, args: string[]) =>
  // A CLI that started a run instead would still be bringing its stack up when this gives up.
  spawnSync(process.execPath, [join(repoRoot(), cli), ...args], { encoding: 'utf8', timeout: 20_000 });

describe.each(CLIS)('%s', (name, cli, usage) => {
  it('prints its usage for --help and exits 0', () => {
    const result = run(cli, ['--help']);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    // The usage alone: one line, and no sign of a run starting.
    expect(result.stdout.trim().split('\n')).toEqual([expect.stringContaining(usage)]);
  });

  it('refuses a flag it does not know, naming it, and exits 2 without starting anything', () => {
    const result = run(cli, ['--colour', 'red']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${name}: unknown argument --colour`);
    expect(result.stderr).toContain(usage);
    expect(result.stdout).toBe('');
  });
});
