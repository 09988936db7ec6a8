import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logExcerpt } from './log-excerpt';

describe('logExcerpt (what a failed chaos run prints of its apps logs)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'of-excerpt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps error and fatal records and the lines that are not records, and drops the rest', () => {
    writeFileSync(
      join(dir, 'order-worker.log'),
      [
        '{"level":30,"msg":"worker started"}',
        '{"level":40,"msg":"the database does not answer; waiting for it before polling"}',
        '{"level":50,"msg":"activity failed"}',
        "thread 'tokio-runtime-worker' panicked at core/src/worker/activities/local_activities.rs:997",
        'order-worker: the worker stopped',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'api.log'), '{"level":30,"msg":"listening"}\n');
    writeFileSync(join(dir, 'temporal.log'), 'a server line that is no record\n');

    expect(logExcerpt(dir)).toEqual([
      'order-worker.log: its last 3 of 3 error lines:',
      '  {"level":50,"msg":"activity failed"}',
      "  thread 'tokio-runtime-worker' panicked at core/src/worker/activities/local_activities.rs:997",
      '  order-worker: the worker stopped',
    ]);
  });

  it('keeps only the last lines of a long log, and shortens a long line', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    lines.push('x'.repeat(500));
    writeFileSync(join(dir, 'shipping-worker.log'), lines.join('\n'));

    const excerpt = logExcerpt(dir, 3);
    expect(excerpt[0]).toBe('shipping-worker.log: its last 3 of 21 error lines:');
    expect(excerpt.slice(1, 3)).toEqual(['  line 18', '  line 19']);
    expect(excerpt[3]).toBe(`  ${'x'.repeat(400)} ...`);
  });
});
