/**
 * The bench's chart as a self-contained SVG: latency (p50 and p99 from the
 * client's POST) and goodput against offered rate, one series per variant.
 */

export interface ChartPoint {
  /** Offered rate, orders per second. */
  rate: number;
  /** Milliseconds; null = beyond the observation window (drawn as a hollow marker at the top). */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Orders completed within the SLO per second. */
  goodput: number;
  /** False when the rung's latency grew across it (drawn as hollow squares); absent or true otherwise. */
  sustained?: boolean;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
}

export interface ChartOptions {
  title: string;
  /** The SLO line on the latency panel, ms. */
  sloMs: number;
  /** Top of the latency axis, ms. */
  maxLatencyMs: number;
}

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const PANEL = { width: 420, height: 300, left: 60, top: 50, gap: 90 };

export const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

export interface PanelGeometry {
  width: number;
  height: number;
  top: number;
}

export interface AxesSpec {
  /** Left edge of the plot area. */
  x0: number;
  title: string;
  xLabel: string;
  xTicks: number[];
  xMax: number;
  yLabel: string;
  yTicks: number[];
  yMax: number;
  format: (n: number) => string;
}

/** Draws one panel's title, grid, tick labels, frame and axis labels; returns its value-to-pixel scales. */
export function axesPanel(out: string[], g: PanelGeometry, a: AxesSpec): { x: (v: number) => number; y: (v: number) => number } {
  const x = (v: number) => a.x0 + (v / a.xMax) * g.width;
  const y = (v: number) => g.top + g.height - (Math.min(v, a.yMax) / a.yMax) * g.height;
  out.push(`<text x="${a.x0 + g.width / 2}" y="${g.top - 12}" text-anchor="middle" font-size="13">${escapeXml(a.title)}</text>`);
  for (const t of a.yTicks) {
    out.push(`<line x1="${a.x0}" x2="${a.x0 + g.width}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${a.x0 - 6}" y="${y(t) + 4}" text-anchor="end">${a.format(t)}</text>`);
  }
  for (const t of a.xTicks) out.push(`<text x="${x(t)}" y="${g.top + g.height + 16}" text-anchor="middle">${a.format(t)}</text>`);
  out.push(`<rect x="${a.x0}" y="${g.top}" width="${g.width}" height="${g.height}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${a.x0 + g.width / 2}" y="${g.top + g.height + 34}" text-anchor="middle">${escapeXml(a.xLabel)}</text>`);
  out.push(
    `<text transform="translate(${a.x0 - 42},${g.top + g.height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(a.yLabel)}</text>`,
  );
  return { x, y };
}

/** Round, readable tick values from 0 to at least `max`. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) out.push(Math.round(v * 1000) / 1000);
  if ((out[out.length - 1] ?? 0) < max) out.push(Math.round((out[out.length - 1] ?? 0) + step));
  return out;
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function renderChart(series: readonly ChartSeries[], options: ChartOptions): string {
  const allRates = series.flatMap((s) => s.points.map((p) => p.rate));
  const xTicks = ticks(Math.max(1, ...allRates));
  const xMax = xTicks[xTicks.length - 1] ?? 1;
  const latencyTicks = ticks(options.maxLatencyMs / 1000);
  const yLatencyMax = latencyTicks[latencyTicks.length - 1] ?? 1;
  const goodputTicks = ticks(Math.max(1, xMax, ...series.flatMap((s) => s.points.map((p) => p.goodput))));
  const yGoodputMax = goodputTicks[goodputTicks.length - 1] ?? 1;
  const width = PANEL.left * 2 + PANEL.width * 2 + PANEL.gap;
  const legendRows = Math.ceil(series.length / 3);
  const height = PANEL.top + PANEL.height + 60 + legendRows * 20 + 20;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`);

  const panel = (
    x0: number,
    title: string,
    yLabel: string,
    yTicks: number[],
    yMax: number,
    draw: (x: (r: number) => number, y: (v: number) => number) => void,
  ) => {
    const { x, y } = axesPanel(out, PANEL, {
      x0,
      title,
      xLabel: 'offered rate (orders/s)',
      xTicks,
      xMax,
      yLabel,
      yTicks,
      yMax,
      format: fmt,
    });
    draw(x, y);
  };

  const line = (points: Array<[number, number]>, color: string, dash: string) =>
    points.length > 1
      ? out.push(
          `<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`,
        )
      : 0;
  // A circle, hollow beyond the observation window; a hollow square for a rung whose latency grew.
  const marker = (cx: number, cy: number, color: string, hollow: boolean, grew = false) =>
    out.push(
      grew
        ? `<rect x="${(cx - 4).toFixed(1)}" y="${(cy - 4).toFixed(1)}" width="8" height="8" fill="white" stroke="${color}" stroke-width="1.5"/>`
        : `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="3.5" fill="${hollow ? 'white' : color}" stroke="${color}" stroke-width="1.5"/>`,
    );

  panel(PANEL.left, 'latency from POST (solid p50, dashed p99)', 'seconds', latencyTicks, yLatencyMax, (x, y) => {
    out.push(
      `<line x1="${x(0)}" x2="${x(xMax)}" y1="${y(options.sloMs / 1000)}" y2="${y(options.sloMs / 1000)}" stroke="#999" stroke-dasharray="2,3"/>`,
    );
    out.push(
      `<text x="${x(xMax) - 4}" y="${y(options.sloMs / 1000) - 4}" text-anchor="end" fill="#666">SLO ${fmt(options.sloMs / 1000)} s</text>`,
    );
    series.forEach((s, i) => {
      const color = COLORS[i % COLORS.length] as string;
      const sorted = [...s.points].sort((a, b) => a.rate - b.rate);
      for (const [key, dash] of [
        ['p50Ms', ''],
        ['p99Ms', '6,4'],
      ] as const) {
        const pts = sorted.map((p): [number, number, boolean, boolean] => [
          x(p.rate),
          y(p[key] === null ? yLatencyMax : (p[key] as number) / 1000),
          p[key] === null,
          p.sustained === false,
        ]);
        line(
          pts.map(([a, b]) => [a, b]),
          color,
          dash,
        );
        for (const [a, b, hollow, grew] of pts) marker(a, b, color, hollow, grew);
      }
    });
  });
  panel(
    PANEL.left * 2 + PANEL.width + PANEL.gap - PANEL.left,
    'goodput (orders/s completed within the SLO)',
    'orders/s',
    goodputTicks,
    yGoodputMax,
    (x, y) => {
      out.push(
        `<line x1="${x(0)}" y1="${y(0)}" x2="${x(Math.min(xMax, yGoodputMax))}" y2="${y(Math.min(xMax, yGoodputMax))}" stroke="#999" stroke-dasharray="2,3"/>`,
      );
      series.forEach((s, i) => {
        const color = COLORS[i % COLORS.length] as string;
        const sorted = [...s.points].sort((a, b) => a.rate - b.rate);
        line(
          sorted.map((p): [number, number] => [x(p.rate), y(p.goodput)]),
          color,
          '',
        );
        for (const p of sorted) marker(x(p.rate), y(p.goodput), color, false, p.sustained === false);
      });
    },
  );

  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const lx = PANEL.left + (i % 3) * 300;
    const ly = PANEL.top + PANEL.height + 62 + Math.floor(i / 3) * 20;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 30}" y="${ly}">${escapeXml(s.name)}</text>`);
  });
  out.push(
    `<text x="${width - 8}" y="${height - 8}" text-anchor="end" fill="#666" font-size="10">hollow circle: beyond the observation window; hollow square: latency grew across the rung (not sustained)</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
