/**
 * @module Overview: each account's equity from its daily snapshots against SPY (rebased to the
 * account's first equity) with the regime strip, day and total P&L, exposure against the regime's
 * target, the stored backtest of the same strategy hash, the daemon's heartbeat and next action,
 * data freshness and the latest alerts.
 */
import { sessionsBetween, nyDateOf } from '../../calendar/nyse.js';
import { chartValues, regimeRuns, scriptJson, type ChartSpec } from '../../backtest/report/chartSpec.js';
import { readAlertJournal } from '../../operations/alerts/journal.js';
import { daemonLiveness } from '../../operations/daemon/heartbeat.js';
import { shortHash } from '../../strategy/hash.js';
import { money, pct, signedMoney } from '../format.js';
import type { DashboardData } from '../readModel.js';
import { Chart, Empty } from './layout.js';

export interface AccountSummary {
  broker: string;
  account: string;
  session: string;
  equity: number;
  dayPnl: number | null;
  totalPnl: number;
  totalReturn: number;
  exposure: number;
  allocation: number | null;
  regime: string | null;
  strategyHash: string | null;
  chart: ChartSpec;
  /** The chart as embedded in the page, serialised once per change of the account. */
  chartJson: string;
}

export function accountSummaries(data: DashboardData): AccountSummary[] {
  // Nothing written since the last look: the same list, without a query per account.
  return data.fromStore('overview', () => summariesNow(data));
}

function summariesNow(data: DashboardData): AccountSummary[] {
  // SPY changes with a data sync, not with a snapshot: keyed on its symbol row, not on the store's version.
  const spyInfo = data.bars.symbolInfo('SPY');
  const spyKey = spyInfo ? `${spyInfo.lastDate}:${spyInfo.barCount}:${spyInfo.updatedAt}` : 'none';
  const spy = () => data.cached('overview:spy', spyKey, () => new Map(spyInfo ? data.bars.getBars('SPY').map((b) => [b.date, b.adjClose]) : []));
  // Each account is rebuilt only when one of its own snapshots was written.
  return data.snapshots.listAccounts().flatMap(({ broker, account }) =>
    data.cached(`overview:${broker}/${account}`, `${data.accountSignature(broker, account)}|${spyKey}`, () => accountSummary(data, broker, account, spy())));
}

function accountSummary(data: DashboardData, broker: string, account: string, spy: Map<string, number>): AccountSummary[] {
  const rows = data.equitySeries(broker, account).filter((r) => r.equity !== null);
  const last = data.snapshots.last(broker, account);
  if (rows.length === 0 || !last) return [];
  const first = rows[0];
  const prev = rows.length > 1 ? rows[rows.length - 2] : null;
  const equity = rows[rows.length - 1].equity!;
  const spy0 = spy.get(first.session);
  const chart: ChartSpec = {
    dates: rows.map((r) => r.session),
    panels: [
      {
        title: `${account} equity against SPY (rebased)`, log: true, unit: 'money', height: 240,
        series: [
          { name: account, color: '#1f77b4', values: chartValues(rows.map((r) => r.equity ?? Number.NaN)) },
          ...(spy0 ? [{ name: 'SPY (rebased)', color: '#555555', values: chartValues(rows.map((r) => { const v = spy.get(r.session); return v ? (first.equity! * v) / spy0 : Number.NaN; })) }] : []),
        ],
      },
      { title: 'Drawdown', derive: 'drawdown', of: 0, height: 120 },
    ],
    regime: { title: 'Regime at each snapshot', runs: regimeRuns(rows.map((r) => r.regime)) },
  };
  return [{
    broker, account, session: last.session, equity,
    dayPnl: prev?.equity != null ? equity - prev.equity : null,
    totalPnl: equity - first.equity!, totalReturn: equity / first.equity! - 1,
    exposure: last.exposure, allocation: last.allocation, regime: last.regime, strategyHash: last.strategyHash, chart, chartJson: scriptJson(chart),
  }];
}

function Freshness(props: { data: DashboardData; today: string }) {
  const symbols = props.data.fromStore('symbols', () => props.data.bars.listSymbols());
  if (symbols.length === 0) return <Empty>The store holds no market data yet: `atlas data sync` or `atlas demo`.</Empty>;
  const lastOf = (s: string) => symbols.find((x) => x.symbol === s)?.lastDate ?? null;
  const newest = symbols.reduce((a, s) => (s.lastDate && s.lastDate > a ? s.lastDate : a), '');
  const behind = (d: string | null) => {
    if (!d) return '–';
    const n = d < props.today ? Math.max(0, sessionsBetween(d, props.today).length - 1) : 0;
    return n === 0 ? 'current' : `${n} session${n > 1 ? 's' : ''} behind`;
  };
  return (
    <table>
      <tbody>
        {['SPY', 'VIX'].map((s) => <tr><td>{s} last bar</td><td data-k={`last-${s}`}>{lastOf(s) ?? 'none'}</td><td>{behind(lastOf(s))}</td></tr>)}
        <tr><td>newest bar of {symbols.length} symbols</td><td>{newest || '–'}</td><td>{behind(newest || null)}</td></tr>
      </tbody>
    </table>
  );
}

export function OverviewPage(props: { data: DashboardData; dataDir: string; now: Date }) {
  const accounts = accountSummaries(props.data);
  const live = daemonLiveness(props.dataDir, props.now);
  const hb = live.heartbeat;
  const alerts = readAlertJournal(props.dataDir, 10).reverse();
  const research = props.data.research.recent(200);
  return (
    <>
      <section>
        <h2>Accounts</h2>
        {accounts.length === 0 ? <Empty>No account snapshots yet: `atlas run` writes one per account after every close.</Empty> : (
          <div class="scroll">
            <table id="accounts">
              <thead><tr><th>account</th><th>session</th><th>equity</th><th>day P&amp;L</th><th>total P&amp;L</th><th>exposure</th><th>regime target</th><th>regime</th><th>strategy</th></tr></thead>
              <tbody>
                {accounts.map((a) => (
                  <tr data-account={a.account}>
                    <td>{a.account} <span class="muted">{a.broker}</span></td>
                    <td class="date">{a.session}</td>
                    <td data-k="equity">{money(a.equity)}</td>
                    <td class={a.dayPnl !== null && a.dayPnl < 0 ? 'neg' : 'posv'}>{signedMoney(a.dayPnl)}</td>
                    <td class={a.totalPnl < 0 ? 'neg' : 'posv'}>{signedMoney(a.totalPnl)} ({pct(a.totalReturn)})</td>
                    <td data-k="exposure">{pct(a.exposure, 1)}</td>
                    <td>{pct(a.allocation, 0)}</td>
                    <td class={a.regime ?? ''} data-k="regime">{a.regime ?? '–'}</td>
                    <td>{a.strategyHash ? <code>{shortHash(a.strategyHash)}</code> : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {accounts.map((a) => {
          const bt = a.strategyHash ? research.find((r) => r.kind === 'backtest' && r.strategyHash === a.strategyHash) : undefined;
          return (
            <div class="card">
              <h3>{a.account}</h3>
              <p class="muted">
                {bt ? <>Backtest of the same strategy ({shortHash(a.strategyHash!)}): <a href={`/research/${bt.id}/report`}>{bt.title}</a>, {bt.firstDate} → {bt.lastDate}.</> : 'No stored backtest of this strategy hash (atlas backtest --report records one).'}
              </p>
              <Chart id={`eq-${a.broker}-${a.account}`} spec={a.chart} json={a.chartJson} />
            </div>
          );
        })}
      </section>
      <section class="grid2">
        <div>
          <h2>Daemon</h2>
          <p data-k="daemon" class={live.alive ? 'posv' : 'neg'}>{live.alive ? 'alive' : 'not running'}: {live.reason}</p>
          {hb?.nextJob ? <p>Next: <b>{hb.nextJob.id}</b> at {hb.nextJob.at} ({hb.nextJob.tasks.join('; ')})</p> : null}
          {hb?.lastJob ? <p>Last: {hb.lastJob.id} {hb.lastJob.status} {hb.lastJob.finishedAt ?? ''}</p> : null}
          <h2>Data freshness</h2>
          <Freshness data={props.data} today={nyDateOf(props.now)} />
        </div>
        <div>
          <h2>Recent alerts</h2>
          {alerts.length === 0 ? <Empty>No alert sent.</Empty> : (
            <table id="alerts">
              <thead><tr><th>at</th><th>severity</th><th>title</th><th>channel</th><th>outcome</th></tr></thead>
              <tbody>{alerts.map((a) => <tr><td class="date">{a.at.slice(0, 16).replace('T', ' ')}</td><td>{a.severity}</td><td class="left">{a.title}</td><td>{a.channel}</td><td class={a.outcome === 'failed' ? 'neg' : ''}>{a.outcome}</td></tr>)}</tbody>
            </table>
          )}
        </div>
      </section>
    </>
  );
}
