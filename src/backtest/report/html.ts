import { listSome } from '../../core/text.js';
import type { Comparison } from '../compare.js';
import type { GateCheck } from '../gate.js';
import { bandsFromKeys, lineChart } from './svgChart.js';

export interface ReportContext {
  title: string;
  universe: { name: string; description: string; survivorshipWarning?: string; missing: string[] };
  settings: Record<string, string | number | boolean>;
  gate?: { strategy: string; checks: GateCheck[] };
  /** Set when the data is the simulated demo market: shown as a banner at the top. */
  simulated?: string;
  /** How the start date was chosen, in one sentence. */
  start?: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#7f7f7f'];
const REGIME_BANDS: Record<string, string> = {
  TREND_BULL: 'rgba(44,160,44,0.10)',
  TREND_NEUTRAL: 'rgba(255,191,0,0.12)',
  TREND_BEAR: 'rgba(255,127,14,0.16)',
  CRASH: 'rgba(214,39,40,0.25)',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (x: number, d = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(d)}%` : '–');
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');

/**
 * Non-passing gates of a rebalance batch, e.g. "G3 WARN"; "PASS" when all passed. A FAIL prints
 * its reason next to it; a WARN keeps it in a tooltip.
 */
function gateCell(gates: readonly string[] | undefined, reasons: readonly string[] | undefined): string {
  if (!gates) return '–';
  const bad = gates.map((g, i) => {
    if (g === 'PASS') return '';
    const why = reasons?.[i];
    const title = why ? ` title="${esc(why)}"` : '';
    if (g !== 'FAIL') return `<span${title}>G${i + 1} ${g}</span>`;
    return `<span class="fail"${title}>G${i + 1} FAIL</span>${why ? ` <span class="why">${esc(why)}</span>` : ''}`;
  }).filter(Boolean);
  return bad.length ? bad.join(' ') : 'PASS';
}

function drawdown(eq: ArrayLike<number>): Float64Array {
  const out = new Float64Array(eq.length);
  let peak = -Infinity;
  for (let i = 0; i < eq.length; i++) {
    peak = Math.max(peak, eq[i]);
    out[i] = eq[i] / peak - 1;
  }
  return out;
}

/**
 * A self-contained HTML report: metrics side by side, equity and drawdown charts with regime
 * shading, and the rebalance table (regime, allocation, stocks chosen). No scripts, no external
 * assets, no timestamps: the same inputs give the same bytes.
 */
export function renderReport(cmp: Comparison, ctx: ReportContext): string {
  const runs = cmp.runs;
  const dates = runs[0].result.dates;
  // Shade by the regime known each day: the daily run's decisions when it ran, else any regime run.
  const shadeRun = runs.find((r) => r.mode === 'daily') ?? runs.find((r) => r.mode !== 'off');
  const bands = shadeRun ? bandsFromKeys(shadeRun.result.regime, REGIME_BANDS) : [];
  const curves = [
    ...runs.map((r, k) => ({ name: r.name, values: r.result.equity, color: COLORS[k % COLORS.length] })),
    ...(cmp.benchmark ? [{ name: cmp.benchmark.name, values: cmp.benchmark.equity, color: COLORS[3] }] : []),
  ];
  const equitySvg = lineChart(dates, curves, { title: 'Equity (log scale)' + (shadeRun ? `, shaded by the regime (${shadeRun.name})` : ''), log: true, bands, format: (v) => `$${Math.round(v).toLocaleString('en-US')}` });
  const ddSvg = lineChart(dates, curves.map((c) => ({ ...c, values: drawdown(c.values) })), { title: 'Drawdown', height: 220, bands, format: (v) => pct(v, 0) });

  const cols = [...runs.map((r) => ({ name: r.name, m: r.metrics })), ...(cmp.benchmark ? [{ name: cmp.benchmark.name, m: cmp.benchmark.metrics }] : [])];
  const rows: [string, (m: (typeof cols)[number]['m']) => string][] = [
    ['Total return', (m) => pct(m.totalReturn)], ['CAGR', (m) => pct(m.cagr)], ['Volatility', (m) => pct(m.volatility)],
    ['Sharpe', (m) => num(m.sharpe)], ['Sortino', (m) => num(m.sortino)], ['Max drawdown', (m) => pct(m.maxDrawdown)],
    ['Drawdown peak → trough', (m) => `${m.peakDate ?? '–'} → ${m.troughDate ?? '–'}`], ['Recovered', (m) => m.recoveryDate ?? 'not yet'],
    ['Calmar', (m) => num(m.calmar)], ['Exposure', (m) => pct(m.exposure, 1)], ['Turnover / year', (m) => num(m.turnover)],
    ['Orders', (m) => String(m.orders)], ['Win rate (closed positions)', (m) => pct(m.winRate, 1)],
  ];
  const metricsTable = `<table><thead><tr><th></th>${cols.map((c) => `<th>${esc(c.name)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(([label, f]) => `<tr><td>${esc(label)}</td>${cols.map((c) => `<td>${esc(f(c.m))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

  const perRegime = runs.filter((r) => r.metrics.perRegime.length > 0).map((r) => `<h3>${esc(r.name)}</h3><table><thead><tr><th>regime applied at the previous close</th><th>sessions</th><th>compounded return</th></tr></thead><tbody>${r.metrics.perRegime
    .map((p) => `<tr><td>${esc(p.regime)}</td><td>${p.days}</td><td>${pct(p.compoundedReturn)}</td></tr>`).join('')}</tbody></table>`).join('');

  const rebalanceTables = runs.map((r) => `<details${r.mode === 'rebalance' || runs.length === 1 ? ' open' : ''}><summary>${esc(r.name)}: ${r.result.rebalances.length} rebalances</summary><table><thead><tr><th>date</th><th>kind</th><th>regime</th><th>allocation</th><th>stocks chosen (distance to 52w high)</th><th>live gates</th></tr></thead><tbody>${r.result.rebalances
    .map((b) => `<tr><td>${b.date}</td><td>${b.kind}</td><td class="${b.regime ?? ''}">${b.regime ?? '–'}</td><td>${pct(b.allocation, 0)}</td><td>${b.chosen.map((c) => `${esc(c.symbol)} ${pct(c.distance, 1)}`).join(', ') || '–'}</td><td class="gates">${gateCell(b.gates, b.gateReasons)}</td></tr>`)
    .join('')}</tbody></table></details>`).join('');

  const warnings = [
    ...(ctx.universe.survivorshipWarning ? [`Survivorship bias: ${ctx.universe.survivorshipWarning}`] : []),
    ...(ctx.universe.missing.length ? [`No data for ${listSome(ctx.universe.missing, 30)}: never eligible.`] : []),
    ...[...new Set(runs.flatMap((r) => r.result.warnings))].filter((w) => w !== ctx.universe.survivorshipWarning),
  ];
  const gate = ctx.gate
    ? `<h2>Gate (${esc(ctx.gate.strategy)})</h2><table><tbody>${ctx.gate.checks.map((c) => `<tr><td>${esc(c.text)}</td><td>${num(c.value, 4)}</td><td class="${c.pass ? 'pass' : 'fail'}">${c.pass ? 'PASS' : 'FAIL'}</td></tr>`).join('')}</tbody></table>`
    : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(ctx.simulated ? `SIMULATED: ${ctx.title}` : ctx.title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}h3{font-size:14px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}td,th{border-bottom:1px solid #e4e4e4;padding:4px 10px;text-align:right}
td:first-child,th:first-child{text-align:left}.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:8px 12px;margin:10px 0}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.CRASH{color:#cf222e}.TREND_BEAR{color:#d2691e}
.sim{background:#ffe3e3;border:2px solid #cf222e;color:#8b0000;font-weight:700;padding:10px 14px;margin:10px 0}
.why{font-size:12px;color:#555}td.gates{text-align:left;max-width:360px}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:3px}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
</style></head><body>
${ctx.simulated ? `<div class="sim">${esc(ctx.simulated)}</div>\n` : ''}<h1>${esc(ctx.simulated ? `${ctx.title} (SIMULATED)` : ctx.title)}</h1>
<p>${esc(dates[0])} → ${esc(dates[dates.length - 1])} · ${dates.length} sessions · universe <b>${esc(ctx.universe.name)}</b>: ${esc(ctx.universe.description)}</p>
${ctx.start ? `<p>${esc(ctx.start)}</p>\n` : ''}${warnings.map((w) => `<div class="warn">${esc(w)}</div>`).join('\n')}
<h2>Settings</h2><table><tbody>${Object.entries(ctx.settings).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(String(v))}</td></tr>`).join('')}</tbody></table>
<h2>Results</h2>${metricsTable}
${gate}
<h2>Equity and drawdown</h2>
<p class="legend">${Object.entries(REGIME_BANDS).map(([k, c]) => `<span style="background:${c}">${k}</span>`).join('')}</p>
${equitySvg}
${ddSvg}
<h2>Returns by regime</h2>${perRegime || '<p>No regime mode was run.</p>'}
<h2>Rebalances</h2>${rebalanceTables}
<p style="color:#777;font-size:12px">Fills at the next session's open unless stated; costs as in the settings. Metrics are defined in docs/metrics.md. Generated by Atlas.</p>
</body></html>
`;
}
