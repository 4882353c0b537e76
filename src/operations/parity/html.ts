/**
 * @module The parity report as one self-contained HTML page: the numbers, the account's and the
 * backtest's equity and the gap between them drawn by the backtest report's chart module (uPlot
 * and chartRuntime inlined, so the file works offline from file://), the orders each side placed,
 * the fills with their shortfall and the days that diverged most with the reasons found.
 */
import { CHART_CSS, CHART_RUNTIME, uplotAssets } from '../../backtest/report/chartRuntime.js';
import { chartHtml, chartValues, type ChartSpec } from '../../backtest/report/chartSpec.js';
import type { ParityReport } from './parity.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(3)}%`);
const num = (x: number | null, d = 1) => (x === null ? 'n/a' : x.toFixed(d));

/** The two equity curves and the account's gap to the backtest, on the sessions both have. */
export function parityChartSpec(r: ParityReport): ChartSpec | null {
  const pts = r.equity.filter((e) => e.live !== null && e.backtest !== null) as { date: string; live: number; backtest: number }[];
  if (pts.length < 2) return null;
  return {
    dates: pts.map((p) => p.date),
    panels: [
      {
        title: 'Equity: the account and the backtest of the same strategy (drag to zoom, double-click to reset)', unit: 'money', height: 300,
        series: [
          { name: 'account', color: '#1f77b4', values: chartValues(pts.map((p) => p.live), 2) },
          { name: 'backtest', color: '#ff7f0e', values: chartValues(pts.map((p) => p.backtest), 2) },
        ],
      },
      { title: 'Account equity / backtest equity - 1', unit: 'pct', height: 160, series: [{ name: 'gap', color: '#6f42c1', values: chartValues(pts.map((p) => p.live / p.backtest - 1), 6) }] },
    ],
  };
}

export function parityHtml(r: ParityReport): string {
  const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('');
  const spec = parityChartSpec(r);
  const uplot = uplotAssets();
  const off = r.orders.filter((o) => o.verdict !== 'same');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Atlas parity ${esc(r.account)}</title>
<style>${uplot.css}</style>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 12px;color:#222}table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}td,th{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
${CHART_CSS}</style></head><body>
<h1>Live vs backtest: ${esc(r.broker)} ${esc(r.account)}</h1>
<p>${esc(r.from ?? '?')} .. ${esc(r.to ?? '?')}: account ${pct(r.liveReturn)}, backtest ${pct(r.backtestReturn)}, tracking difference ${pct(r.trackingDifference)}, final equity gap ${pct(r.finalEquityGap)}, correlation of daily returns ${num(r.correlation, 4)}.</p>
<p>Orders: ${r.ordersMatched} of ${r.ordersTotal} the same on both sides or within one share (${r.orders.filter((o) => o.verdict === 'same').length} exactly the same). Implementation shortfall (notional-weighted, positive = cost): ${num(r.cumulative.vsCloseBps)} bps vs the decision close, ${num(r.cumulative.vsOpenBps)} bps vs the next open.</p>
${spec ? chartHtml('parity', spec) : '<p>Too few sessions for a chart.</p>'}
<h2>Days that diverged most</h2><table><tr><th>date</th><th>account</th><th>backtest</th><th>why</th></tr>${rows(r.divergentDays.map((d) => [d.date, pct(d.liveReturn), pct(d.backtestReturn), d.reasons.join('; ')]))}</table>
<h2>Orders that differ</h2>${off.length === 0 ? '<p>None: every order of the account is the backtest\'s, share for share.</p>' : `<table><tr><th>date</th><th>symbol</th><th>side</th><th>account</th><th>backtest</th><th>verdict</th><th>why</th></tr>${rows(off.map((o) => [o.date, o.symbol, o.side, o.liveQty === null ? '-' : String(o.liveQty), o.backtestQty === null ? '-' : String(o.backtestQty), o.verdict, o.reason ?? '']))}</table>`}
<h2>Runs</h2><table><tr><th>run</th><th>decided</th><th>fills</th><th>notional</th><th>vs close bps</th><th>vs open bps</th></tr>${rows(r.runs.map((x) => [x.runId, x.decisionDate, String(x.fills), x.notional.toFixed(2), num(x.vsCloseBps), num(x.vsOpenBps)]))}</table>
<h2>Fills</h2><table><tr><th>filled</th><th>symbol</th><th>side</th><th>qty</th><th>price</th><th>vs close bps</th><th>vs open bps</th></tr>${rows(r.fills.map((f) => [f.fillDate, f.symbol, f.side, String(f.qty), f.price.toFixed(4), num(f.vsCloseBps), num(f.vsOpenBps)]))}</table>
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<script>${uplot.js}</script>
<script>${CHART_RUNTIME}</script>
</body></html>
`;
}
