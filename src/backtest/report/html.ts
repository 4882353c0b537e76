/**
 * @module The self-contained HTML backtest report: a verdict in words, metrics side by side, every
 * gate FAIL with its reason, interactive equity and drawdown charts with the regime strip (the
 * shared chart module and uPlot inlined, so it works offline from file://), annual returns with the
 * excess over SPY, a monthly heat map, per-position attribution, the trades and the rebalances.
 * No timestamps: the same inputs give the same bytes.
 */
import { listSome } from '../../core/text.js';
import { liveGateFailures, type Comparison } from '../compare.js';
import type { GateCheck } from '../gate.js';
import { attribution } from './attribution.js';
import { CHART_CSS, CHART_RUNTIME, uplotAssets } from './chartRuntime.js';
import { chartHtml, chartValues, regimeRuns, type ChartSpec } from './chartSpec.js';
import { excessReturns, periodReturns, type PeriodReturn } from './periodReturns.js';
import { verdictSentences } from './verdict.js';

export interface ReportContext {
  title: string;
  universe: { name: string; description: string; survivorshipWarning?: string; missing: string[] };
  settings: Record<string, string | number | boolean>;
  gate?: { strategy: string; checks: GateCheck[] };
  /** Set when the data is the simulated demo market: shown as a banner at the top. */
  simulated?: string;
  /** How the start date was chosen, in one sentence. */
  start?: string;
  /** Caveats about the stored data itself (symbols imported without adjusted prices). */
  dataWarnings?: string[];
}

/** Trades listed per strategy in the report; the full list is the --trades CSV. */
export const MAX_TRADES_SHOWN = 2500;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#555555'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (x: number | undefined, d = 2) => (x !== undefined && Number.isFinite(x) ? `${(x * 100).toFixed(d)}%` : '–');
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const money = (x: number) => (Number.isFinite(x) ? `${x < 0 ? '-' : ''}$${Math.round(Math.abs(x)).toLocaleString('en-US')}` : '–');

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

/** A heat-map cell colour: green up, red down, saturating at +-10% a month. */
function heat(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.min(1, Math.abs(v) / 0.1) * 0.75;
  return v >= 0 ? ` style="background:rgba(26,127,55,${a.toFixed(2)})"` : ` style="background:rgba(207,34,46,${a.toFixed(2)})"`;
}

function chartSpec(cmp: Comparison): ChartSpec {
  const runs = cmp.runs;
  const dates = runs[0].result.dates;
  const shadeRun = runs.find((r) => r.mode === 'daily') ?? runs.find((r) => r.mode !== 'off');
  const series = [
    ...runs.map((r, k) => ({ name: r.name, color: COLORS[k % 3], values: chartValues(r.result.equity, 0) })),
    ...(cmp.benchmark ? [{ name: cmp.benchmark.name, color: COLORS[3], values: chartValues(cmp.benchmark.equity, 0) }] : []),
  ];
  return {
    dates,
    panels: [
      { title: 'Equity (log scale; drag to zoom, double-click to reset)', log: true, unit: 'money', height: 320, series },
      { title: 'Drawdown from the running peak', derive: 'drawdown', of: 0, height: 200 },
    ],
    ...(shadeRun ? { regime: { title: `Regime applied by ${shadeRun.name}`, runs: regimeRuns(shadeRun.result.regime) } } : {}),
  };
}

function annualTable(cmp: Comparison): string {
  const cols = cmp.runs.map((r) => ({ name: r.name, years: periodReturns(r.result.dates, r.result.equity, 4) }));
  const spy = cmp.benchmark ? periodReturns(cmp.benchmark.dates, cmp.benchmark.equity, 4) : null;
  const excess = spy ? cols.map((c) => excessReturns(c.years, spy)) : [];
  const byYear = cols.map((c) => new Map(c.years.map((p) => [p.period, p.value])));
  const spyMap = new Map((spy ?? []).map((p) => [p.period, p.value]));
  const head = `<tr><th>year</th>${cols.map((c) => `<th>${esc(c.name)}</th>`).join('')}${spy ? '<th>SPY buy &amp; hold</th>' : ''}${spy ? cols.map((c) => `<th>${esc(c.name)} − SPY</th>`).join('') : ''}</tr>`;
  const body = cols[0].years.map((y) => `<tr><td>${y.period}</td>${byYear.map((m) => `<td>${pct(m.get(y.period), 1)}</td>`).join('')}${spy ? `<td>${pct(spyMap.get(y.period), 1)}</td>` : ''}${excess.map((e) => {
    const v = e.get(y.period);
    return `<td class="${v !== undefined && v < 0 ? 'neg' : 'posv'}">${v === undefined ? '–' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} pp`}</td>`;
  }).join('')}</tr>`).join('');
  return `<table class="annual"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function heatMap(name: string, months: readonly PeriodReturn[], years: readonly PeriodReturn[]): string {
  const m = new Map(months.map((p) => [p.period, p.value]));
  const rows = years.map((y) => `<tr><td>${y.period}</td>${MONTHS.map((_, k) => {
    const v = m.get(`${y.period}-${String(k + 1).padStart(2, '0')}`);
    return v === undefined ? '<td></td>' : `<td${heat(v)}>${(v * 100).toFixed(1)}</td>`;
  }).join('')}<td class="yr">${pct(y.value, 1)}</td></tr>`).join('');
  return `<h3>${esc(name)}: monthly returns (%)</h3><table class="heat"><thead><tr><th>year</th>${MONTHS.map((x) => `<th>${x}</th>`).join('')}<th>year</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function attributionTable(cmp: Comparison): string {
  return cmp.runs.map((r) => {
    const rows = attribution(r.result);
    return `<details><summary>${esc(r.name)}: ${rows.length} symbols</summary><table><thead><tr><th>symbol</th><th>P&amp;L</th><th>of initial cash</th><th>trades</th><th>bought</th><th>held at the end</th></tr></thead><tbody>${rows
      .map((a) => `<tr><td>${esc(a.symbol)}</td><td class="${a.pnl < 0 ? 'neg' : 'posv'}">${money(a.pnl)}</td><td>${pct(a.contribution, 1)}</td><td>${a.trades}</td><td>${money(a.bought)}</td><td>${a.open ? 'yes' : ''}</td></tr>`).join('')}</tbody></table></details>`;
  }).join('');
}

function tradeTables(cmp: Comparison): string {
  return cmp.runs.map((r) => {
    const trades = r.result.trades;
    const shown = trades.slice(-MAX_TRADES_SHOWN);
    const note = shown.length < trades.length ? `<p class="why">The latest ${shown.length} of ${trades.length} trades; every fill: <code>atlas backtest --trades trades.csv</code>.</p>` : '';
    return `<details><summary>${esc(r.name)}: ${trades.length} trades</summary>${note}<table class="trades"><thead><tr><th>date</th><th>side</th><th>symbol</th><th>qty</th><th>price</th><th>notional</th><th>cost</th><th>intent</th></tr></thead><tbody>${shown
      .map((t) => `<tr><td>${t.date}<td>${t.side}<td>${esc(t.symbol)}<td>${num(t.qty, 2)}<td>${num(t.price, 2)}<td>${money(t.notional)}<td>${num(t.cost, 2)}<td>${t.intent}</tr>`).join('')}</tbody></table></details>`;
  }).join('');
}

function gateSection(cmp: Comparison, ctx: ReportContext): string {
  const parts: string[] = [];
  if (ctx.gate) {
    parts.push(`<h3>Your gate on ${esc(ctx.gate.strategy)}</h3><table><tbody>${ctx.gate.checks.map((c) => `<tr><td>${esc(c.text)}</td><td>actual ${num(c.value, 4)}</td><td class="${c.pass ? 'pass' : 'fail'}">${c.pass ? 'PASS' : 'FAIL'}</td><td class="why">${c.pass ? '' : `${esc(c.metric)} is ${num(c.value, 4)}, which does not meet ${esc(c.op)} ${c.threshold}`}</td></tr>`).join('')}</tbody></table>`);
  }
  const fails = cmp.runs.map((r) => ({ name: r.name, lines: liveGateFailures(r) })).filter((f) => f.lines.length > 0);
  parts.push(fails.length === 0
    ? '<p>No live gate failed on any rebalance batch.</p>'
    : `<h3>Live gates that failed (evaluated as a live run would, not enforced)</h3>${fails.map((f) => `<p><b>${esc(f.name)}</b>: ${f.lines.length} FAIL${f.lines.length > 1 ? 's' : ''}</p><ul class="fails">${f.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`).join('')}`);
  return `<h2>Gates</h2>${parts.join('')}`;
}

export function renderReport(cmp: Comparison, ctx: ReportContext): string {
  const runs = cmp.runs;
  const dates = runs[0].result.dates;
  const cols = [...runs.map((r) => ({ name: r.name, m: r.metrics })), ...(cmp.benchmark ? [{ name: cmp.benchmark.name, m: cmp.benchmark.metrics }] : [])];
  const spyCagr = cmp.benchmark?.metrics.cagr;
  const rows: [string, (m: (typeof cols)[number]['m']) => string][] = [
    ['Total return', (m) => pct(m.totalReturn)], ['CAGR', (m) => pct(m.cagr)],
    ...(spyCagr !== undefined ? [['Excess CAGR over SPY', (m: (typeof cols)[number]['m']) => `${m.cagr - spyCagr >= 0 ? '+' : ''}${((m.cagr - spyCagr) * 100).toFixed(2)} pp`] as [string, (m: (typeof cols)[number]['m']) => string]] : []),
    ['Volatility', (m) => pct(m.volatility)],
    ['Sharpe', (m) => num(m.sharpe)], ['Sortino', (m) => num(m.sortino)], ['Max drawdown', (m) => pct(m.maxDrawdown)],
    ['Drawdown peak → trough', (m) => `${m.peakDate ?? '–'} → ${m.troughDate ?? '–'}`], ['Recovered', (m) => m.recoveryDate ?? 'not yet'],
    ['Calmar', (m) => num(m.calmar)], ['Exposure', (m) => pct(m.exposure, 1)], ['Turnover / year', (m) => num(m.turnover)],
    ['Orders', (m) => String(m.orders)], ['Win rate (closed positions)', (m) => pct(m.winRate, 1)],
  ];
  const metricsTable = `<table class="metrics"><thead><tr><th></th>${cols.map((c) => `<th>${esc(c.name)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(([label, f]) => `<tr><td>${esc(label)}</td>${cols.map((c) => `<td>${esc(f(c.m))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

  const perRegime = runs.filter((r) => r.metrics.perRegime.length > 0).map((r) => `<h3>${esc(r.name)}</h3><table><thead><tr><th>regime applied at the previous close</th><th>sessions</th><th>compounded return</th></tr></thead><tbody>${r.metrics.perRegime
    .map((p) => `<tr><td>${esc(p.regime)}</td><td>${p.days}</td><td>${pct(p.compoundedReturn)}</td></tr>`).join('')}</tbody></table>`).join('');

  const rebalanceTables = runs.map((r) => `<details${r.mode === 'rebalance' || runs.length === 1 ? ' open' : ''}><summary>${esc(r.name)}: ${r.result.rebalances.length} rebalances</summary><table class="rebalances"><thead><tr><th>date</th><th>kind</th><th>regime</th><th>allocation</th><th>stocks chosen (distance to 52w high)</th><th>live gates</th></tr></thead><tbody>${r.result.rebalances
    .map((b) => `<tr><td class="date">${b.date}</td><td>${b.kind}</td><td class="${b.regime ?? ''}">${b.regime ?? '–'}</td><td>${pct(b.allocation, 0)}</td><td class="chosen">${b.chosen.map((c) => `${esc(c.symbol)} ${pct(c.distance, 1)}`).join(', ') || '–'}</td><td class="gates">${gateCell(b.gates, b.gateReasons)}</td></tr>`)
    .join('')}</tbody></table></details>`).join('');

  const warnings = [
    ...(ctx.dataWarnings ?? []),
    ...(ctx.universe.survivorshipWarning ? [`Survivorship bias: ${ctx.universe.survivorshipWarning}`] : []),
    ...(ctx.universe.missing.length ? [`No data for ${listSome(ctx.universe.missing, 30)}: never eligible.`] : []),
    ...[...new Set(runs.flatMap((r) => r.result.warnings))].filter((w) => w !== ctx.universe.survivorshipWarning),
  ];
  const verdict = verdictSentences(cmp, { survivorship: ctx.universe.survivorshipWarning, simulated: ctx.simulated });
  const heatMaps = runs.map((r) => heatMap(r.name, periodReturns(r.result.dates, r.result.equity, 7), periodReturns(r.result.dates, r.result.equity, 4))).join('');
  const uplot = uplotAssets();

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(ctx.simulated ? `SIMULATED: ${ctx.title}` : ctx.title)}</title>
<style>${uplot.css}</style>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}h3{font-size:14px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}td,th{border-bottom:1px solid #e4e4e4;padding:4px 10px;text-align:right}
td:first-child,th:first-child{text-align:left}.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:8px 12px;margin:10px 0}
.verdict{background:#f3f6fb;border-left:4px solid #1f77b4;padding:10px 14px;margin:12px 0}.verdict p{margin:4px 0}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.CRASH{color:#cf222e}.TREND_BEAR{color:#d2691e}.TREND_NEUTRAL{color:#2b6a99}.TREND_BULL{color:#1a7f37}
.neg{color:#cf222e}.posv{color:#1a7f37}
.sim{background:#ffe3e3;border:2px solid #cf222e;color:#8b0000;font-weight:700;padding:10px 14px;margin:10px 0}
.why{font-size:12px;color:#555}td.gates{text-align:left;max-width:360px}td.chosen{text-align:left}td.date,table.trades td:first-child{white-space:nowrap}
table.heat td,table.heat th{padding:3px 6px;font-size:12px;text-align:center}table.heat td.yr{font-weight:600}
.scroll{overflow-x:auto}details{margin:6px 0}summary{cursor:pointer;font-weight:600}ul.fails{font-size:13px}
${CHART_CSS}
</style></head><body>
${ctx.simulated ? `<div class="sim">${esc(ctx.simulated)}</div>\n` : ''}<h1>${esc(ctx.simulated ? `${ctx.title} (SIMULATED)` : ctx.title)}</h1>
<div class="verdict">${verdict.map((s) => `<p>${esc(s)}</p>`).join('')}</div>
<p>${esc(dates[0])} → ${esc(dates[dates.length - 1])} · ${dates.length} sessions · universe <b>${esc(ctx.universe.name)}</b>: ${esc(ctx.universe.description)}</p>
${ctx.start ? `<p>${esc(ctx.start)}</p>\n` : ''}${warnings.map((w) => `<div class="warn">${esc(w)}</div>`).join('\n')}
<h2>Results</h2><div class="scroll">${metricsTable}</div>
${gateSection(cmp, ctx)}
<h2>Equity, drawdown and regime</h2>
${chartHtml('equity', chartSpec(cmp))}
<h2>Annual returns and the excess over SPY</h2><div class="scroll">${annualTable(cmp)}</div>
<h2>Monthly returns</h2><div class="scroll">${heatMaps}</div>
<h2>Returns by regime</h2>${perRegime || '<p>No regime mode was run.</p>'}
<h2>Per-position attribution</h2><p class="why">What each symbol added: sells net of commission, less buys and their commission, plus the value still held at the end.</p>${attributionTable(cmp)}
<h2>Trades</h2>${tradeTables(cmp)}
<h2>Rebalances</h2><div class="scroll">${rebalanceTables}</div>
<h2>Settings</h2><table><tbody>${Object.entries(ctx.settings).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(String(v))}</td></tr>`).join('')}</tbody></table>
<p class="why">Fills at the next session's open unless stated; costs as in the settings. Metrics are defined in docs/metrics.md. Generated by Atlas.</p>
<script>${uplot.js}</script>
<script>${CHART_RUNTIME}</script>
</body></html>
`;
}
