/**
 * @module Data: every stored symbol with its range, bar count and source, and the quality issues
 * `atlas data check` finds (missing sessions, bad OHLC, stale, large or split-like moves).
 */
import { nyDateOf } from '../../calendar/nyse.js';
import { checkBars, type QualityReport } from '../../data/quality.js';
import type { DashboardData } from '../readModel.js';
import { Empty } from './layout.js';

function quality(data: DashboardData, asOf: string): Map<string, QualityReport> {
  return data.fromStore(`quality:${asOf}`, () => new Map(data.bars.listSymbols().map((s) => [s.symbol, checkBars(s.symbol, data.bars.getBars(s.symbol), { asOf, maxIssuesPerKind: 3 })])));
}

export function DataPage(props: { data: DashboardData; now: Date }) {
  const symbols = props.data.fromStore('symbols', () => props.data.bars.listSymbols());
  if (symbols.length === 0) return <Empty>The store holds no market data yet: `atlas data sync` or `atlas demo`.</Empty>;
  const q = quality(props.data, nyDateOf(props.now));
  const issues = [...q.values()].filter((r) => !r.ok);
  return (
    <>
      <p>{symbols.length} symbols; {issues.length} with quality issues (as of {nyDateOf(props.now)}).</p>
      <div class="scroll">
        <table id="symbols">
          <thead><tr><th>symbol</th><th>source</th><th>first</th><th>last</th><th>bars</th><th>quality</th></tr></thead>
          <tbody>{symbols.map((s) => {
            const r = q.get(s.symbol);
            const what = r && !r.ok ? [r.stale ? 'stale' : '', r.missingSessions ? `${r.missingSessions} missing` : '', r.badOhlc ? `${r.badOhlc} bad OHLC` : '', r.largeMoves ? `${r.largeMoves} large moves` : '', r.splitLike ? `${r.splitLike} split-like` : '', r.unadjusted ? 'unadjusted' : ''].filter(Boolean).join(', ') : 'ok';
            return <tr><td>{s.symbol}</td><td>{s.source}</td><td class="date">{s.firstDate ?? '–'}</td><td class="date">{s.lastDate ?? '–'}</td><td>{s.barCount}</td><td class={what === 'ok' ? 'posv' : 'neg'}>{what}</td></tr>;
          })}</tbody>
        </table>
      </div>
      <h2>Issues</h2>
      {issues.length === 0 ? <Empty>No issue found.</Empty> : (
        <ul>{issues.flatMap((r) => r.issues.map((i) => <li><b>{r.symbol}</b> {i.date} {i.kind}: {i.detail}</li>))}</ul>
      )}
    </>
  );
}
