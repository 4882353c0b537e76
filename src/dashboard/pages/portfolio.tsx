/**
 * @module Portfolio: per account, the latest snapshot's positions against their target weights,
 * the drift, the remainder sleeve (what is not in stocks, against what the strategy leaves out),
 * and the strategy files in force with their content hash. Secrets never reach this page: the
 * strategy file names keys by environment variable, and its text is redacted all the same.
 */
import { existsSync, readFileSync } from 'node:fs';
import { redact } from '../../core/redact.js';
import { loadStrategyFile } from '../../strategy/load.js';
import { shortHash } from '../../strategy/hash.js';
import { money, num, pct } from '../format.js';
import type { DashboardData } from '../readModel.js';
import { Empty } from './layout.js';

function StrategyFile(props: { path: string; secrets: readonly string[] }) {
  let hash: string;
  let name: string;
  try {
    const s = loadStrategyFile(props.path);
    hash = s.hash;
    name = s.strategy.name;
  } catch (err) {
    return <div class="card"><h3>{props.path}</h3><p class="neg">{(err as Error).message}</p></div>;
  }
  return (
    <div class="card">
      <h3>{name} <code data-k="strategy-hash">{shortHash(hash)}</code></h3>
      <p class="muted">{props.path} · sha256 {hash}</p>
      <pre>{redact(readFileSync(props.path, 'utf8'), props.secrets)}</pre>
    </div>
  );
}

export function PortfolioPage(props: { data: DashboardData; strategyFiles: readonly string[]; secrets: readonly string[] }) {
  const accounts = props.data.snapshots.listAccounts();
  return (
    <>
      {accounts.length === 0 ? <Empty>No account snapshots yet: `atlas run` writes one per account after every close.</Empty> : null}
      {accounts.map(({ broker, account }) => {
        const s = props.data.snapshots.last(broker, account);
        if (!s) return null;
        const held = s.positions.filter((p) => p.qty !== 0);
        const invested = s.positions.reduce((a, p) => a + p.weight, 0);
        const targeted = s.positions.reduce((a, p) => a + p.target, 0);
        return (
          <section class="card" data-account={account}>
            <h2>{account} <span class="muted">{broker} · snapshot of {s.session} ({s.source})</span></h2>
            <p>Equity <b data-k="equity">{money(s.equity)}</b> · cash <b data-k="cash">{money(s.cash)}</b> · exposure {pct(s.exposure, 1)} against the regime's {pct(s.allocation, 0)} ({s.regime ?? 'no regime'})</p>
            <div class="scroll">
              <table class="positions">
                <thead><tr><th>symbol</th><th>qty</th><th>price</th><th>value</th><th>weight</th><th>target</th><th>drift</th></tr></thead>
                <tbody>
                  {s.positions.map((p) => (
                    <tr data-symbol={p.symbol}>
                      <td>{p.symbol}</td><td data-k="qty">{num(p.qty, Number.isInteger(p.qty) ? 0 : 4)}</td><td>{num(p.price)}</td><td data-k="value">{money(p.value)}</td>
                      <td>{pct(p.weight)}</td><td>{pct(p.target)}</td><td class={Math.abs(p.drift) > 0.02 ? 'neg' : ''}>{p.drift > 0 ? '+' : ''}{pct(p.drift)}</td>
                    </tr>
                  ))}
                  <tr class="sleeve"><td>remainder sleeve (cash)</td><td></td><td></td><td>{money(s.cash)}</td><td>{pct(1 - invested)}</td><td>{pct(1 - targeted)}</td><td>{pct(targeted - invested)}</td></tr>
                </tbody>
              </table>
            </div>
            <p class="muted">{held.length} positions held; strategy {s.strategyHash ? shortHash(s.strategyHash) : 'not recorded'}.</p>
          </section>
        );
      })}
      <h2>Strategy files</h2>
      {props.strategyFiles.length === 0 ? <Empty>No strategy file: none deployed in atlas.operations.json and no ./atlas.strategy.json (atlas init writes one).</Empty> : null}
      {props.strategyFiles.filter((f) => existsSync(f)).map((f) => <StrategyFile path={f} secrets={props.secrets} />)}
    </>
  );
}
