#!/usr/bin/env node
// Renders k8s/components/observability/dashboard.json as static HTML (no Grafana here):
// each panel where its gridPos puts it, with its title, unit, queries and the threshold
// lines it draws. `node scripts/render-dashboard.mjs > docs/observability/dashboard.html`,
// then screenshot it with headless Chromium (README, Observability).
import { readFileSync } from 'node:fs';

const dashboard = JSON.parse(readFileSync(new URL('../k8s/components/observability/dashboard.json', import.meta.url), 'utf8'));
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const COL = 50; // px per grid column (24 columns)
const ROW = 34; // px per grid row

function chart(panel) {
  const defaults = panel.fieldConfig?.defaults ?? {};
  const lines = (defaults.thresholds?.steps ?? []).filter((s) => s.value !== null && defaults.custom?.thresholdsStyle?.mode === 'line');
  const w = panel.gridPos.w * COL - 24;
  const h = 120;
  const max = Math.max(...lines.map((l) => l.value * 1.3), 1);
  const axis = lines.length ? `<text x="4" y="12" class="axis">${esc(max.toFixed(0))} ${esc(defaults.unit ?? '')}</text>` : `<text x="4" y="12" class="axis">${esc(defaults.unit ?? '')}</text>`;
  const thresholds = lines
    .map((l) => {
      const y = h - (l.value / max) * h;
      return `<line x1="0" x2="${w}" y1="${y}" y2="${y}" stroke="#e02f44" stroke-dasharray="6 4" stroke-width="2"/><text x="${w - 4}" y="${y - 4}" text-anchor="end" fill="#e02f44">${esc(l.value)} ${esc(defaults.unit ?? '')} (15 s budget)</text>`;
    })
    .join('');
  return `<svg width="${w}" height="${h}" class="chart"><rect width="${w}" height="${h}" fill="#181b1f"/>${[0.25, 0.5, 0.75].map((f) => `<line x1="0" x2="${w}" y1="${h * f}" y2="${h * f}" stroke="#2c3036"/>`).join('')}${axis}${thresholds}</svg>`;
}

const height = Math.max(...dashboard.panels.map((p) => (p.gridPos.y + p.gridPos.h) * ROW)) + 60;
const panels = dashboard.panels
  .map((p) => {
    const { x, y, w, h } = p.gridPos;
    const queries = (p.targets ?? []).map((t) => `<li><span class="legend">${esc(t.legendFormat ?? t.refId)}</span><code>${esc(t.expr)}</code></li>`).join('');
    return `<section style="left:${x * COL}px;top:${y * ROW + 50}px;width:${w * COL - 8}px;height:${h * ROW - 8}px"><h2>${esc(p.title)}</h2>${chart(p)}<ul>${queries}</ul></section>`;
  })
  .join('\n');

process.stdout.write(`<!doctype html><html><head><meta charset="utf-8"><title>${esc(dashboard.title)}</title><style>
body{margin:0;background:#111217;color:#ccccdc;font:12px sans-serif;width:${24 * COL}px;height:${height}px;position:relative}
header{position:absolute;left:8px;top:10px;font-size:18px;color:#fff}
header small{font-size:11px;color:#8e8e9e;margin-left:12px}
section{position:absolute;background:#181b1f;border:1px solid #2c3036;border-radius:3px;padding:6px 8px;box-sizing:border-box;overflow:hidden}
h2{font-size:13px;margin:0 0 4px;color:#fff;font-weight:500}
ul{margin:4px 0 0;padding:0;list-style:none}li{margin:1px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.legend{color:#73bf69;margin-right:6px}code{color:#8ab8ff;font-size:10.5px}.axis{fill:#8e8e9e;font-size:10px}svg text{font-size:10px}
</style></head><body><header>${esc(dashboard.title)}<small>rendered from k8s/components/observability/dashboard.json: layout, queries and threshold lines (no data)</small></header>
${panels}
</body></html>
`);
