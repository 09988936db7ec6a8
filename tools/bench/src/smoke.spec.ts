/**
 * The bench end to end, very short: the built CLI (dist) runs a warm-up and one
 * rung of 2 orders/s for 3 s on this system's default mode and on the bare baseline
 * with local activities, each on a stack of its own, and writes its JSON,
 * chart and doc where it is told.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, temporalCliForTests } from '@order-fulfillment/stack';
import type { BenchReport } from './bench';

jest.setTimeout(240_000);

describe('npm run bench (smoke)', () => {
  const out = mkdtempSync(join(tmpdir(), 'of-bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures one rung per variant and writes the JSON, the chart and the doc', async () => {
    const cli = join(repoRoot(), 'tools', 'bench', 'dist', 'cli.js');
    const args = [
      cli,
      '--quick',
      '--only',
      'ladder',
      '--variants',
      'default,bare-local',
      '--rates',
      '2',
      '--step-s',
      '3',
      '--out',
      out,
      '--doc',
      join(out, 'benchmarks.md'),
    ];
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        args,
        { env: { ...process.env, TEMPORAL_CLI_PATH: temporalCliForTests() }, timeout: 220_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect({ code, stderr: stderr.slice(-2_000) }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(stdout).toContain('capacity at SLO ratio');

    const files = readdirSync(out);
    const json = files.find((f) => f.endsWith('-quick.json')) as string;
    expect(json).toBeDefined();
    expect(files).toContain(json.replace('.json', '.svg'));
    expect(existsSync(join(out, 'benchmarks.md'))).toBe(true);

    const report = JSON.parse(readFileSync(join(out, json), 'utf8')) as BenchReport;
    expect(report.variants.map((v) => v.kind)).toEqual(['system', 'bare']);
    const [system, bare] = report.variants as [BenchReport['variants'][number], BenchReport['variants'][number]];
    expect(system.isDefault).toBe(true);
    expect(system.retryMode).toBe(report.defaultRetryMode);
    for (const v of [system, bare]) {
      // 5 s at the first rung's rate on the fresh stack first, kept apart from the ladder.
      expect(v.ladderWarmUp).toMatchObject({ kind: 'warm-up', rate: 2, offered: 10, accepted: 10 });
      // Its cost per order placed the ladder's start: the only rung, at or above the first rate.
      expect(v.ladderStart).toMatchObject({ rate: 2, floor: 2 });
      expect(v.ladderStart?.cpuSecondsPerOrder).toBeGreaterThan(0);
      expect(v.ladderStart?.cpuBoundRate).toBeGreaterThan(0);
      expect(v.ladderStart?.expectedCapacity).toBeGreaterThan(v.ladderStart?.cpuBoundRate ?? Infinity);
      expect(v.ladder).toHaveLength(1);
      const step = v.ladder[0] as (typeof v.ladder)[number];
      expect(step.offered).toBe(6);
      expect(step.accepted).toBe(6);
      expect(step.completed).toBeGreaterThan(0);
      // Every order passes the 2 s review timer: nothing completes faster.
      expect(step.latencyMs.p50).toBeGreaterThanOrEqual(report.reviewMs);
      expect(step.usage['temporal']?.cpuSeconds).toBeGreaterThan(0);
      // The sustained check's inputs, from the same POST and completion times.
      expect(typeof step.sustained).toBe('boolean');
      expect(step.latencyFirstThirdP50Ms).toBeGreaterThanOrEqual(report.reviewMs);
      expect(step.latencyLastThirdP50Ms).toBeGreaterThanOrEqual(report.reviewMs);
      // 6 orders over ~2.5 s of POSTs, each at least the 2 s review: well under 2/s achieved, but some.
      expect(step.throughput).toBeGreaterThan(0);
      expect(step.throughput).toBeLessThan(2);
    }
    // Side by side: the two ladders' steps interleave in time, one step on the machine at a time.
    const steps = [system, bare]
      .flatMap((v) => [v.ladderWarmUp, ...v.ladder].map((st) => ({ who: v.kind, from: st?.startedAtMs ?? NaN, to: (st?.startedAtMs ?? NaN) + (st?.wallS ?? 0) * 1000 })))
      .sort((a, b) => a.from - b.from);
    expect(steps).toHaveLength(4);
    steps.forEach((st, i) => {
      const before = steps[i - 1];
      if (!before) return;
      expect(st.who).not.toBe(before.who);
      expect(st.from).toBeGreaterThanOrEqual(before.to - 100);
    });
    for (const proc of ['api', 'order-worker', 'shipping-worker', 'postgres'])
      expect(system.ladder[0]?.usage[proc]?.cpuSeconds).toBeGreaterThan(0);
    expect(bare.ladder[0]?.usage['bare-worker']?.cpuSeconds).toBeGreaterThan(0);
    expect(report.ratio === null || report.ratio > 0).toBe(true);

    const doc = readFileSync(join(out, 'benchmarks.md'), 'utf8');
    // Counted by the server: the dispatch asked by update (ADR 047) against the bare baseline's two-signal handshake.
    const systemWork = system.ladderServerWork;
    const bareWork = bare.ladderServerWork;
    expect(systemWork?.updates).toBe(1);
    expect(systemWork?.signals).toBe(0);
    expect(bareWork?.signals).toBe(2);
    expect(bareWork?.updates).toBe(0);
    // Local activities: no activity task; fewer workflow tasks per order than the baseline's.
    expect([systemWork?.activityTasks, bareWork?.activityTasks]).toEqual([0, 0]);
    expect(systemWork?.workflowTasks).toBeGreaterThan(0);
    expect(systemWork?.workflowTasks).toBeLessThan(bareWork?.workflowTasks ?? 0);
    expect(doc).toContain('## Temporal server work per order');
    expect(doc).toContain('## What saturates first');
    expect(doc).toContain('first/last third p50');
    expect(doc).not.toContain('predates the sustained check');
    expect(doc).toContain('first run 5 s at their first rung');
  });
});
