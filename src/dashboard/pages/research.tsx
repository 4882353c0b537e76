/**
 * @module Research: the stored backtests (recorded by `atlas backtest --report`) and sweeps
 * (recorded by `atlas sweep`) side by side in one table, newest first, each opening its report:
 * a backtest's HTML file (served with a CSP that allows only the report's own inline scripts, by
 * hash), a sweep's page drawn from its stored row (grid, best configuration, deflated Sharpe, PBO,
 * the best-ranked configurations).
 */
import { existsSync } from 'node:fs';
import type { ResearchRun } from '../../backtest/report/researchStore.js';
import { shortHash } from '../../strategy/hash.js';
import { num, pct } from '../format.js';
import type { DashboardData } from '../readModel.js';
import { Empty } from './layout.js';

/** Rows of a sweep shown in the side-by-side table (its page shows all it kept). */
const SWEEP_ROWS_LISTED = 3;

const fraction = (v: unknown, d = 2): string => (typeof v === 'number' ? num(v, d) : '–');

function Overfitting(props: { run: ResearchRun }) {
  if (props.run.kind !== 'sweep') return <>–</>;
  const s = props.run.settings;
  return <span data-k="overfitting">DSR {fraction(s['deflated Sharpe'])} · PBO {fraction(s.PBO)}</span>;
}

function reportLink(r: ResearchRun) {
  if (r.kind === 'sweep') return <a href={`/research/${r.id}/report`}>open</a>;
  return r.reportPath && existsSync(r.reportPath) ? <a href={`/research/${r.id}/report`}>open</a> : <span class="muted">missing</span>;
}

export function ResearchPage(props: { data: DashboardData }) {
  const runs: ResearchRun[] = props.data.research.recent(200);
  if (runs.length === 0) return <Empty>No stored backtest or sweep yet: `atlas backtest --report report.html` and `atlas sweep` record one here.</Empty>;
  return (
    <div class="scroll">
      <table id="research">
        <thead><tr><th>#</th><th>recorded</th><th>kind</th><th>title</th><th>period</th><th>strategy or configuration</th><th>CAGR</th><th>Sharpe</th><th>max drawdown</th><th>overfitting</th><th>report</th></tr></thead>
        <tbody>
          {runs.flatMap((r) => {
            const entries = Object.entries(r.metrics);
            const shown = r.kind === 'sweep' ? entries.slice(0, SWEEP_ROWS_LISTED) : entries;
            return shown.map(([name, m], k) => (
              <tr class={k === 0 ? 'first' : ''} data-research={k === 0 ? String(r.id) : undefined} data-kind={r.kind}>
                <td>{k === 0 ? r.id : ''}</td>
                <td class="date">{k === 0 ? r.createdAt.slice(0, 16).replace('T', ' ') : ''}</td>
                <td>{k === 0 ? r.kind : ''}</td>
                <td class="left">{k === 0 ? <>{r.title}{r.simulated ? <span class="neg"> SIMULATED</span> : null}{r.kind === 'backtest' && r.strategyHash ? <> <code>{shortHash(r.strategyHash)}</code></> : null}</> : ''}</td>
                <td class="date">{k === 0 ? `${r.firstDate} → ${r.lastDate}` : ''}</td>
                <td class="left">{name}</td><td>{pct(m.cagr)}</td><td>{num(m.sharpe)}</td><td>{pct(m.maxDrawdown)}</td>
                <td>{k === 0 ? <Overfitting run={r} /> : ''}</td>
                <td>{k === 0 ? reportLink(r) : ''}</td>
              </tr>
            ));
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A sweep's own page: what was swept, the winner, how much of it is luck, the best-ranked configurations. */
export function SweepPage(props: { run: ResearchRun }) {
  const r = props.run;
  const s = r.settings;
  const rows = Object.entries(r.metrics);
  return (
    <>
      <p>{r.simulated ? <b class="neg">SIMULATED (demo data) · </b> : null}{r.firstDate} → {r.lastDate} · recorded {r.createdAt.slice(0, 16).replace('T', ' ')} · <a href="/research">all research</a></p>
      <section class="card">
        <p class="big">Best of <b data-k="configurations">{String(s.configurations)}</b> configurations by {String(s['rank by'])}: <b data-k="best">{String(s['best configuration'])}</b> (strategy <code>{String(s['best strategy hash']).slice(0, 8)}</code>)</p>
        <p>Deflated Sharpe ratio <b data-k="dsr">{fraction(s['deflated Sharpe'], 3)}</b> (the probability that the best configuration's true Sharpe ratio beats the best of {String(s['deflated Sharpe trials'])} lucky trials); probability of backtest overfitting <b data-k="pbo">{fraction(s.PBO, 3)}</b>{typeof s.PBO === 'number' ? '' : ` (${String(s.PBO)})`}. See docs/overfitting.md.</p>
      </section>
      <h2>Settings</h2>
      <table id="sweep-settings"><tbody>{Object.entries(s).map(([k, v]) => <tr><td>{k}</td><td class="left"><code>{typeof v === 'number' ? num(v, 4) : String(v)}</code></td></tr>)}</tbody></table>
      <h2>Best-ranked configurations</h2>
      <div class="scroll">
        <table id="sweep-results">
          <thead><tr><th>configuration</th><th>CAGR</th><th>Sharpe</th><th>Sortino</th><th>max drawdown</th><th>Calmar</th><th>exposure</th></tr></thead>
          <tbody>{rows.map(([name, m]) => <tr><td class="left">{name}</td><td>{pct(m.cagr)}</td><td data-k="sharpe">{num(m.sharpe)}</td><td>{num(m.sortino)}</td><td>{pct(m.maxDrawdown)}</td><td>{num(m.calmar)}</td><td>{pct(m.exposure, 1)}</td></tr>)}</tbody>
        </table>
      </div>
    </>
  );
}
