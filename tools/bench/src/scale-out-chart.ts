/**
 * The scale-out step's chart as a self-contained SVG: shipping throughput
 * against the number of shipping workers (with the line of perfect scaling from
 * one worker's figure), and the shipping-tq backlog over each burst.
 */
import { COLORS, axesPanel, escapeXml, ticks } from './chart';
import type { ScaleOutResult } from './scale-out';

const P = { width: 380, height: 260, left: 60, top: 50, gap: 90 };

export function renderScaleOutChart(result: ScaleOutResult, title: string): string {
  const runs = [...result.runs].sort((a, b) => a.workers - b.workers);
  const perWorker = runs.find((r) => r.workers === 1)?.shippingPerSecond ?? 0;
  const maxWorkers = Math.max(1, ...runs.map((r) => r.workers));
  const xWorkers = ticks(maxWorkers, Math.min(maxWorkers, 4));
  const xwMax = xWorkers[xWorkers.length - 1] ?? 1;
  const yRate = ticks(Math.max(0.1, perWorker * maxWorkers, ...runs.map((r) => r.shippingPerSecond)));
  const yrMax = yRate[yRate.length - 1] ?? 1;
  const xTime = ticks(Math.max(1, ...runs.flatMap((r) => r.backlog.map((b) => b.atMs / 1000))));
  const xtMax = xTime[xTime.length - 1] ?? 1;
  const yBacklog = ticks(Math.max(1, ...runs.flatMap((r) => r.backlog.map((b) => b.tasks))));
  const ybMax = yBacklog[yBacklog.length - 1] ?? 1;
  const width = P.left * 2 + P.width * 2 + P.gap;
  const height = P.top + P.height + 80;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, ''));
  const panel = (
    x0: number,
    title: string,
    xLabel: string,
    xTicks: number[],
    xMax: number,
    yLabel: string,
    yTicks: number[],
    yMax: number,
  ) => axesPanel(out, P, { x0, title, xLabel, xTicks, xMax, yLabel, yTicks, yMax, format: num });
  const polyline = (points: Array<[number, number]>, color: string, dash = '') =>
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`,
    );

  const left = panel(
    P.left,
    'shipping throughput (dashed: perfect scaling)',
    'shipping workers (1 slot each)',
    xWorkers,
    xwMax,
    'shipments/s',
    yRate,
    yrMax,
  );
  polyline(
    [
      [left.x(0), left.y(0)],
      [left.x(xwMax), left.y(perWorker * xwMax)],
    ],
    '#999',
    '3,3',
  );
  polyline(
    runs.map((r) => [left.x(r.workers), left.y(r.shippingPerSecond)]),
    COLORS[0] as string,
  );
  for (const r of runs) {
    out.push(`<circle cx="${left.x(r.workers).toFixed(1)}" cy="${left.y(r.shippingPerSecond).toFixed(1)}" r="4" fill="${COLORS[0]}"/>`);
    out.push(`<text x="${left.x(r.workers) + 6}" y="${left.y(r.shippingPerSecond) + 14}">${num(r.shippingPerSecond)}/s</text>`);
  }

  const right = panel(
    P.left * 2 + P.width + P.gap - P.left,
    'shipping-tq activity backlog during the burst',
    'seconds from the burst',
    xTime,
    xtMax,
    'tasks waiting',
    yBacklog,
    ybMax,
  );
  runs.forEach((r, i) => {
    const color = COLORS[(i + 1) % COLORS.length] as string;
    const points = r.backlog.filter((b) => b.tasks >= 0).map((b): [number, number] => [right.x(b.atMs / 1000), right.y(b.tasks)]);
    if (points.length > 1) polyline(points, color);
    const lx = P.left * 2 + P.width + P.gap - P.left + i * 110;
    out.push(`<rect x="${lx}" y="${P.top + P.height + 48}" width="14" height="4" fill="${color}"/>`);
    out.push(`<text x="${lx + 18}" y="${P.top + P.height + 54}">${r.workers} worker${r.workers === 1 ? '' : 's'}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
