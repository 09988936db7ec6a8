import { escapeXml, renderChart, ticks } from './chart';

const series = [
  {
    name: 'system <seed> & co',
    points: [
      { rate: 2, p50Ms: 3_000, p99Ms: 4_000, goodput: 2 },
      { rate: 4, p50Ms: 9_000, p99Ms: null, goodput: 1.5 },
    ],
  },
  { name: 'bare local', points: [{ rate: 8, p50Ms: 2_200, p99Ms: 2_600, goodput: 8 }] },
];
const grewSeries = [
  {
    name: 'bare remote',
    points: [
      { rate: 4, p50Ms: 3_000, p99Ms: 3_500, goodput: 4, sustained: true },
      { rate: 8, p50Ms: 9_000, p99Ms: 12_000, goodput: 8, sustained: false },
    ],
  },
];

describe('renderChart', () => {
  const svg = renderChart(series, { title: 'a title', sloMs: 15_000, maxLatencyMs: 20_000 });
  it('is one SVG document with both panels and a legend entry per variant, names escaped', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('latency from POST');
    expect(svg).toContain('goodput (orders/s completed within the SLO)');
    expect(svg).toContain('system &lt;seed&gt; &amp; co');
    expect(svg).not.toContain('<seed>');
    expect(svg).toContain('SLO 15 s');
  });
  it('draws a p50 line, a dashed p99 line and a goodput line per series with more than one point', () => {
    const polylines = svg.match(/<polyline /g) ?? [];
    expect(polylines).toHaveLength(3); // series 1: p50, p99, goodput; series 2 has one point
    expect(svg.match(/stroke-dasharray="6,4"/g)).toHaveLength(1);
  });
  it('places points by value on axes from 0 to 8 orders/s and 0 to 20 s', () => {
    // latency panel: x0 = 60, width 420, top 50, height 300
    expect(svg).toContain('cx="165.0" cy="305.0"'); // 2/s (60 + 2/8 * 420), p50 3 s (350 - 3/20 * 300)
    expect(svg).toContain('cx="270.0" cy="215.0"'); // 4/s, p50 9 s
  });
  it('draws a result beyond the observation window as a hollow marker at the top', () => {
    expect(svg).toMatch(/<circle cx="270\.0" cy="50\.0" r="3\.5" fill="white"/);
  });
});

describe('renderChart: rungs whose latency grew', () => {
  const svg = renderChart(grewSeries, { title: 't', sloMs: 15_000, maxLatencyMs: 20_000 });
  it('draws them as hollow squares in both panels (p50, p99, goodput), the others as circles', () => {
    const squares = svg.match(/<rect x="[\d.]+" y="[\d.]+" width="8" height="8" fill="white" stroke="#1f77b4"/g) ?? [];
    expect(squares).toHaveLength(3);
    // latency panel: 8/s at x = 60 + 8/8 * 420 = 480; p50 9 s at y = 350 - 9/20 * 300 = 215; the square is centred there
    expect(svg).toContain('<rect x="476.0" y="211.0" width="8" height="8" fill="white"');
    expect(svg.match(/<circle /g)).toHaveLength(3); // the sustained 4/s rung: p50, p99, goodput
    expect(svg).toContain('hollow square: latency grew across the rung');
  });
  it('draws no square where every rung was sustained or the results predate the check', () => {
    const plain = renderChart(series, { title: 't', sloMs: 15_000, maxLatencyMs: 20_000 });
    expect(plain).not.toMatch(/<rect x="[\d.]+" y="[\d.]+" width="8"/);
  });
});

describe('ticks and escaping', () => {
  it('ticks are round and reach the maximum', () => {
    expect(ticks(8)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(20)).toEqual([0, 5, 10, 15, 20]);
    expect(ticks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(0)).toEqual([0, 1]);
  });
  it('escapes XML', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
