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
