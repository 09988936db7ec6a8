/**
 * `order demo` against the real stack: every scenario must end as it
 * expected, within the 60 s the README promises.
 */
import { order } from './support/cli';

describe('order demo', () => {
  it('runs every scenario, prints the summary table and exits 0 within 60 s', async () => {
    const started = Date.now();
    const r = await order(['demo'], { timeoutMs: 90_000 });
    const took = Date.now() - started;
    if (r.code !== 0) throw new Error(`demo exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    expect(took).toBeLessThan(60_000);
    expect(r.stdout).toMatch(/^# {2}scenario +expected +happened +result$/m);
    for (const title of ['happy order', 'cancelled in review', 'cancelled after', 'address changed in', 'dispatch declined,', 'batch under the']) {
      expect(r.stdout).toMatch(new RegExp(`^\\d  ${title}.*PASS$`, 'm'));
    }
    expect(r.stdout).toContain('every scenario ended as expected');
    // The fault batch runs in both retry modes on the same faults.
    expect(r.stdout).toMatch(/deadline: \d+\/10 completed within the deadline/);
    expect(r.stdout).toMatch(/seed: \d+\/10 completed within the deadline/);
    expect(r.stdout).not.toMatch(/[1-9]\d* charged twice/);
  }, 120_000);
});
