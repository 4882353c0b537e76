/**
 * @module Research: the stored backtests (table research_runs, recorded by `atlas backtest
 * --report`) side by side, each opening its report (served from the dashboard with a CSP that
 * allows only the report's own inline scripts, by hash).
 */
import { existsSync } from 'node:fs';
import type { ResearchRun } from '../../backtest/report/researchStore.js';
import { shortHash } from '../../strategy/hash.js';
import { num, pct } from '../format.js';
import type { DashboardData } from '../readModel.js';
import { Empty } from './layout.js';

export function ResearchPage(props: { data: DashboardData }) {
  const runs: ResearchRun[] = props.data.research.recent(200);
  if (runs.length === 0) return <Empty>No stored backtest yet: `atlas backtest --report report.html` records one here.</Empty>;
  return (
    <div class="scroll">
      <table id="research">
        <thead><tr><th>#</th><th>recorded</th><th>backtest</th><th>period</th><th>strategy</th><th>CAGR</th><th>Sharpe</th><th>max drawdown</th><th>report</th></tr></thead>
        <tbody>
          {runs.flatMap((r) => Object.entries(r.metrics).map(([name, m], k) => (
            <tr class={k === 0 ? 'first' : ''}>
              <td>{k === 0 ? r.id : ''}</td>
              <td class="date">{k === 0 ? r.createdAt.slice(0, 16).replace('T', ' ') : ''}</td>
              <td class="left">{k === 0 ? <>{r.title}{r.simulated ? <span class="neg"> SIMULATED</span> : null}{r.strategyHash ? <> <code>{shortHash(r.strategyHash)}</code></> : null}</> : ''}</td>
              <td class="date">{k === 0 ? `${r.firstDate} → ${r.lastDate}` : ''}</td>
              <td>{name}</td><td>{pct(m.cagr)}</td><td>{num(m.sharpe)}</td><td>{pct(m.maxDrawdown)}</td>
              <td>{k === 0 ? (r.reportPath && existsSync(r.reportPath) ? <a href={`/research/${r.id}/report`}>open</a> : <span class="muted">missing</span>) : ''}</td>
            </tr>
          )))}
        </tbody>
      </table>
    </div>
  );
}
