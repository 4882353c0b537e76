/**
 * @module Runs and orders: every rebalance run (signal, plan, gates and pre-flight as stored in
 * its signal and summary), its orders with fills and implementation shortfall (the fill against
 * the reference price the plan used, signed so a cost is positive), each order's event history,
 * and the audit trail's hash-chain status (`atlas log verify`).
 */
import { redact } from '../../core/redact.js';
import { money, num } from '../format.js';
import type { DashboardData, OrderRow } from '../readModel.js';
import { Empty } from './layout.js';

/** Cost of filling away from the reference price, in dollars and basis points (positive = paid). */
export function shortfall(o: Pick<OrderRow, 'side' | 'ref_price' | 'filled_qty' | 'filled_avg_price'>): { usd: number; bps: number } | null {
  if (o.filled_avg_price === null || !(o.filled_qty > 0) || !(o.ref_price > 0)) return null;
  const sign = o.side === 'buy' ? 1 : -1;
  return { usd: sign * (o.filled_avg_price - o.ref_price) * o.filled_qty, bps: (sign * (o.filled_avg_price - o.ref_price) / o.ref_price) * 1e4 };
}

function AuditStatus(props: { data: DashboardData }) {
  const v = props.data.audit();
  if (v.files.length === 0) return <p data-k="audit">No audit trail yet (execution_log.csv is written by every rebalance).</p>;
  return (
    <div>
      <p data-k="audit" class={v.ok ? 'posv' : 'neg'}>
        {v.ok ? 'Hash chain intact' : `Hash chain BROKEN: ${v.problems.length} problem${v.problems.length > 1 ? 's' : ''}`}: {v.records} chained records in {v.files.length} file{v.files.length > 1 ? 's' : ''}{v.legacyRecords ? `, ${v.legacyRecords} legacy` : ''}; head <code>{v.head ? v.head.slice(0, 16) : '–'}</code>
      </p>
      {v.problems.length ? <ul>{v.problems.slice(0, 20).map((p) => <li>{p.file}:{p.line} {p.kind}: {p.message}</li>)}</ul> : null}
      {v.notes.map((n) => <p class="muted">{n}</p>)}
    </div>
  );
}

export function RunsPage(props: { data: DashboardData }) {
  const runs = props.data.runs(200);
  return (
    <>
      <h2>Audit trail</h2>
      <AuditStatus data={props.data} />
      <h2>Rebalance runs</h2>
      {runs.length === 0 ? <Empty>No rebalance run yet (`atlas rebalance`, or `atlas run` on schedule).</Empty> : (
        <div class="scroll">
          <table id="runs">
            <thead><tr><th>run</th><th>trade date</th><th>account</th><th>broker</th><th>phase</th><th>status</th><th>updated</th></tr></thead>
            <tbody>{runs.map((r) => <tr><td><a href={`/runs/${encodeURIComponent(r.run_id)}`}>{r.run_id}</a></td><td class="date">{r.trade_date}</td><td>{r.account}</td><td>{r.broker}</td><td>{r.phase}</td><td>{r.status}</td><td class="date">{r.updated_at.slice(0, 19).replace('T', ' ')}</td></tr>)}</tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function RunPage(props: { data: DashboardData; runId: string; secrets: readonly string[] }) {
  const run = props.data.run(props.runId);
  if (!run) return <Empty>No run {props.runId}.</Empty>;
  const orders = props.data.orders(run.run_id);
  const events = props.data.events(run.run_id);
  const pretty = (text: string | null) => (text ? redact(JSON.stringify(JSON.parse(text), null, 2), props.secrets) : '–');
  const total = orders.map(shortfall).reduce((a, s) => a + (s?.usd ?? 0), 0);
  return (
    <>
      <p>{run.account} ({run.broker}) · trade date {run.trade_date} · phase {run.phase} · status <b>{run.status}</b> · <a href="/runs">all runs</a></p>
      <h2>Orders</h2>
      <div class="scroll">
        <table id="orders">
          <thead><tr><th>#</th><th>leg</th><th>symbol</th><th>side</th><th>intent</th><th>planned</th><th>qty</th><th>ref price</th><th>state</th><th>filled</th><th>avg fill</th><th>shortfall</th><th>reason</th></tr></thead>
          <tbody>{orders.map((o) => {
            const s = shortfall(o);
            return <tr><td>{o.seq}</td><td>{o.leg}</td><td>{o.symbol}</td><td>{o.side}</td><td>{o.intent}</td><td>{num(o.planned_qty, 0)}</td><td>{num(o.qty, 0)}</td><td>{num(o.ref_price)}</td><td>{o.state}</td><td>{num(o.filled_qty, 0)}</td><td>{num(o.filled_avg_price)}</td><td class={s && s.usd > 0 ? 'neg' : ''}>{s ? `${money(s.usd)} (${num(s.bps, 1)} bps)` : '–'}</td><td class="left">{o.reason ?? ''}</td></tr>;
          })}</tbody>
        </table>
      </div>
      <p>Implementation shortfall, all fills: <b>{money(total)}</b> (positive = paid against the reference prices of the plan).</p>
      <h2>Order events</h2>
      {events.length === 0 ? <Empty>No events.</Empty> : (
        <div class="scroll"><table><thead><tr><th>at</th><th>order</th><th>event</th><th>from</th><th>to</th></tr></thead>
          <tbody>{events.map((e) => <tr><td class="date">{e.at.slice(0, 19).replace('T', ' ')}</td><td><code>{e.client_order_id}</code></td><td>{e.kind}</td><td>{e.from_state ?? '–'}</td><td>{e.to_state}</td></tr>)}</tbody></table></div>
      )}
      <details open><summary>Signal (regime, scan, targets)</summary><pre>{pretty(run.signal)}</pre></details>
      <details><summary>Summary (plan, gates, pre-flight)</summary><pre>{pretty(run.summary)}</pre></details>
      <details><summary>Parameters</summary><pre>{pretty(run.params)}</pre></details>
    </>
  );
}
