import { renderScaleOutChart } from './scale-out-chart';
import { shippingThroughput } from './scale-out';
import type { ScaleOutRun } from './scale-out';

describe('shippingThroughput', () => {
  it('is shipments over the span from the first call start to the last call end', () => {
    // Four calls of 3 s by one worker, back to back: 4 shipments in 12 s.
    expect(shippingThroughput([0, 3_000, 6_000, 9_000], [3_000, 6_000, 9_000, 12_000])).toBeCloseTo(1 / 3);
    // The same four calls on four workers at once: 4 in 3 s.
    expect(shippingThroughput([0, 0, 0, 0], [3_000, 3_000, 3_000, 3_000])).toBeCloseTo(4 / 3);
  });
  it('is 0 with nothing shipped', () => {
    expect(shippingThroughput([], [])).toBe(0);
  });
});

describe('renderScaleOutChart', () => {
  const run = (workers: number, rate: number, backlog: number[]): ScaleOutRun => ({
    workers,
    orders: 8,
    completed: 8,
    shippingPerSecond: rate,
    endToEndMs: { p50: 1, p95: 2, max: 3 },
    backlog: backlog.map((tasks, i) => ({ atMs: i * 1_000, tasks })),
    cpuCores: { temporal: 0, orderWorker: 0, shippingWorkers: 0, api: 0 },
    seconds: 10,
  });
  const svg = renderScaleOutChart(
    {
      carrierLatencyMs: 3_000,
      slotsPerWorker: 1,
      runs: [run(1, 0.3, [0, 7, 5, 2]), run(2, 0.6, [0, 6, 2]), run(4, 1.2, [0, 3])],
      ratio: 4,
    },
    'Shipping <scale-out>',
  );
  it('is one SVG with both panels, the perfect-scaling line, a labelled point per worker count and a backlog line per run', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Shipping &lt;scale-out&gt;');
    expect(svg.match(/<circle /g)).toHaveLength(3);
    for (const label of ['0.3/s', '0.6/s', '1.2/s', '1 worker', '2 workers', '4 workers']) expect(svg).toContain(label);
    // The dashed ideal line, the throughput line and three backlog lines.
    expect(svg.match(/<polyline /g)).toHaveLength(5);
  });
});
