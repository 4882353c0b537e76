/**
 * @module The parity report as one self-contained HTML page: the numbers, an inline SVG of the
 * two equity curves, the fills with their shortfall and the days that diverged most.
 */
import type { ParityReport } from './parity.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(3)}%`);
const num = (x: number | null, d = 1) => (x === null ? 'n/a' : x.toFixed(d));

function curve(r: ParityReport): string {
  const pts = r.equity.filter((e) => e.live !== null && e.backtest !== null) as { live: number; backtest: number }[];
  if (pts.length < 2) return '<p>Too few sessions for a chart.</p>';
  const all = pts.flatMap((p) => [p.live, p.backtest]);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const W = 800;
  const H = 240;
  const xy = (i: number, v: number) => `${((i / (pts.length - 1)) * W).toFixed(1)},${(H - ((v - lo) / (hi - lo || 1)) * H).toFixed(1)}`;
  const line = (k: 'live' | 'backtest') => pts.map((p, i) => xy(i, p[k])).join(' ');
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" height="${H}" role="img" aria-label="equity"><polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${line('live')}"/><polyline fill="none" stroke="#ff7f0e" stroke-width="1.5" points="${line('backtest')}"/></svg><p><span style="color:#1f77b4">account</span> vs <span style="color:#ff7f0e">backtest</span></p>`;
}

export function parityHtml(r: ParityReport): string {
  const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Atlas parity ${esc(r.account)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head><body>
<h1>Live vs backtest: ${esc(r.broker)} ${esc(r.account)}</h1>
<p>${esc(r.from ?? '?')} .. ${esc(r.to ?? '?')}: account ${pct(r.liveReturn)}, backtest ${pct(r.backtestReturn)}, tracking difference ${pct(r.trackingDifference)}, final equity gap ${pct(r.finalEquityGap)}, correlation of daily returns ${num(r.correlation, 4)}.</p>
<p>Implementation shortfall (notional-weighted, positive = cost): ${num(r.cumulative.vsCloseBps)} bps vs the decision close, ${num(r.cumulative.vsOpenBps)} bps vs the next open. Orders matched ${r.ordersMatched} of ${r.ordersTotal}.</p>
${curve(r)}
<h2>Days that diverged most</h2><table><tr><th>date</th><th>account</th><th>backtest</th><th>why</th></tr>${rows(r.divergentDays.map((d) => [d.date, pct(d.liveReturn), pct(d.backtestReturn), d.reasons.join('; ')]))}</table>
<h2>Runs</h2><table><tr><th>run</th><th>decided</th><th>fills</th><th>notional</th><th>vs close bps</th><th>vs open bps</th></tr>${rows(r.runs.map((x) => [x.runId, x.decisionDate, String(x.fills), x.notional.toFixed(2), num(x.vsCloseBps), num(x.vsOpenBps)]))}</table>
<h2>Fills</h2><table><tr><th>filled</th><th>symbol</th><th>side</th><th>qty</th><th>price</th><th>vs close bps</th><th>vs open bps</th></tr>${rows(r.fills.map((f) => [f.fillDate, f.symbol, f.side, String(f.qty), f.price.toFixed(4), num(f.vsCloseBps), num(f.vsOpenBps)]))}</table>
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
