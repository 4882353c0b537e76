/**
 * @module Runs and orders: every rebalance run (signal, plan, gates and pre-flight as stored in
 * its signal and summary), its orders with fills and implementation shortfall (the fill against
 * the reference price the plan used, signed so a cost is positive), each order's event history,
 * and the audit trail's hash-chain status (`atlas log verify`).
 */
import { redact } from '../../core/redact.js';
import type { ExecutionLogRecord } from '../../execution/audit/executionLog.js';
import { money, num, pct } from '../format.js';
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

interface StoredSignal {
  regime?: string;
  regimeSource?: string;
  allocation?: number;
  dataDate?: string;
  selected?: string[];
  targets?: Record<string, number>;
  prices?: Record<string, number>;
}

function parseJson<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Verdict rows (pre-flight checks or gates) as the audit trail recorded them for this run. */
function Verdicts(props: { id: string; what: string; rows: ExecutionLogRecord[] }) {
  if (props.rows.length === 0) return <Empty>No {props.what} recorded for this run in the audit trail.</Empty>;
  return (
    <div class="scroll">
      <table id={props.id}>
        <thead><tr><th>#</th><th>check</th><th>symbol</th><th>result</th><th>reason</th></tr></thead>
        <tbody>{props.rows.map((r) => <tr data-gate={r.gate} data-symbol={r.symbol ?? ''}><td>{r.gate ?? '–'}</td><td class="left">{r.detail ?? ''}</td><td>{r.symbol ?? ''}</td><td data-k="result" class={r.result === 'FAIL' ? 'neg' : r.result === 'WARN' ? 'warn' : 'posv'}>{r.result ?? ''}</td><td class="left">{r.reason ?? ''}</td></tr>)}</tbody>
      </table>
    </div>
  );
}

/** The gate verdicts split per validation: the plan's, then each re-check before sending (re-sized BUYs, resumed SELLs). */
export function validationBatches(rows: readonly ExecutionLogRecord[]): ExecutionLogRecord[][] {
  const out: ExecutionLogRecord[][] = [];
  let prev = Number.POSITIVE_INFINITY;
  for (const r of rows) {
    // Each validation logs gates 1..7 in order (with per-order rows under their gate): a lower gate starts the next one.
    const gate = r.gate ?? 0;
    if (out.length === 0 || gate < prev) out.push([]);
    out[out.length - 1].push(r);
    prev = gate;
  }
  return out;
}

export function RunPage(props: { data: DashboardData; runId: string; secrets: readonly string[] }) {
  const run = props.data.run(props.runId);
  if (!run) return <Empty>No run {props.runId}.</Empty>;
  const orders = props.data.orders(run.run_id);
  const events = props.data.events(run.run_id);
  const log = props.data.runLog(run.run_id);
  const signal = parseJson<StoredSignal>(run.signal) ?? {};
  const pretty = (text: string | null) => (text ? redact(JSON.stringify(JSON.parse(text), null, 2), props.secrets) : '–');
  const shortfalls = orders.map(shortfall);
  const total = shortfalls.reduce((a, s) => a + (s?.usd ?? 0), 0);
  const filledNotional = orders.reduce((a, o) => a + (o.filled_avg_price !== null ? o.filled_qty * o.ref_price : 0), 0);
  const fills = log.filter((r) => r.event === 'ORDER_FILLED' || r.event === 'PARTIAL_FILL');
  const targets = Object.entries(signal.targets ?? {});
  const gateBatches = validationBatches(log.filter((r) => r.event === 'VALIDATION'));
  return (
    <>
      <p>{run.account} ({run.broker}) · trade date {run.trade_date} · phase {run.phase} · status <b data-k="status">{run.status}</b> · <a href="/runs">all runs</a></p>
      <h2>Signal</h2>
      <p data-k="signal">Regime <b class={signal.regime ?? ''} data-k="regime">{signal.regime ?? '–'}</b> ({signal.regimeSource ?? '–'}) at the close of {signal.dataDate ?? '–'}, stock allocation <b data-k="allocation">{pct(signal.allocation, 0)}</b>; selected {(signal.selected ?? []).join(', ') || 'nothing'}.</p>
      {targets.length === 0 ? null : (
        <div class="scroll">
          <table id="targets">
            <thead><tr><th>symbol</th><th>target weight</th><th>price at plan</th></tr></thead>
            <tbody>{targets.map(([sym, w]) => <tr data-symbol={sym}><td>{sym}</td><td data-k="weight">{pct(w, 2)}</td><td>{num(signal.prices?.[sym])}</td></tr>)}</tbody>
          </table>
        </div>
      )}
      <h2>Pre-flight</h2>
      <Verdicts id="preflight" what="pre-flight check" rows={log.filter((r) => r.event === 'PREFLIGHT')} />
      <h2>Gates on the plan</h2>
      <Verdicts id="gates" what="gate verdict" rows={gateBatches[0] ?? []} />
      {gateBatches.slice(1).map((rows, k) => (
        <>
          <h3>Gates re-checked before sending{gateBatches.length > 2 ? ` (${k + 1})` : ''}</h3>
          <Verdicts id={`gates-recheck-${k + 1}`} what="gate verdict" rows={rows} />
        </>
      ))}
      <h2>Plan and orders</h2>
      <div class="scroll">
        <table id="orders">
          <thead><tr><th>#</th><th>leg</th><th>symbol</th><th>side</th><th>intent</th><th>planned</th><th>qty</th><th>ref price</th><th>planned notional</th><th>state</th><th>filled</th><th>avg fill</th><th>shortfall</th><th>reason</th></tr></thead>
          <tbody>{orders.map((o, k) => {
            const s = shortfalls[k];
            return <tr data-order={o.client_order_id} data-symbol={o.symbol}><td>{o.seq}</td><td>{o.leg}</td><td>{o.symbol}</td><td>{o.side}</td><td>{o.intent}</td><td data-k="planned">{num(o.planned_qty, 0)}</td><td data-k="qty">{num(o.qty, 0)}</td><td data-k="ref">{num(o.ref_price)}</td><td>{money(o.planned_qty * o.ref_price)}</td><td data-k="state">{o.state}</td><td data-k="filled">{num(o.filled_qty, 0)}</td><td data-k="avg">{num(o.filled_avg_price, 4)}</td><td data-k="shortfall" class={s && s.usd > 0 ? 'neg' : ''}>{s ? `${money(s.usd)} (${num(s.bps, 1)} bps)` : '–'}</td><td class="left">{o.reason ?? ''}</td></tr>;
          })}</tbody>
        </table>
      </div>
      <p>Implementation shortfall, all fills: <b data-k="shortfall-total">{money(total)}</b>{filledNotional > 0 ? <> (<span data-k="shortfall-bps">{num((total / filledNotional) * 1e4, 1)}</span> bps of the filled notional at reference prices)</> : null}; positive = paid against the reference prices of the plan.</p>
      <h2>Fills</h2>
      {fills.length === 0 ? <Empty>No fill recorded for this run in the audit trail.</Empty> : (
        <div class="scroll">
          <table id="fills">
            <thead><tr><th>at</th><th>symbol</th><th>side</th><th>event</th><th>qty</th><th>price</th><th>order</th></tr></thead>
            <tbody>{fills.map((f) => <tr data-symbol={f.symbol ?? ''}><td class="date">{f.timestamp.slice(0, 19).replace('T', ' ')}</td><td>{f.symbol ?? ''}</td><td>{f.side ?? ''}</td><td>{f.event}</td><td data-k="qty">{num(f.fillQty, 0)}</td><td data-k="price">{num(f.fillPrice, 4)}</td><td><code>{f.clientOrderId ?? ''}</code></td></tr>)}</tbody>
          </table>
        </div>
      )}
      <h2>Order events</h2>
      {events.length === 0 ? <Empty>No events.</Empty> : (
        <div class="scroll"><table><thead><tr><th>at</th><th>order</th><th>event</th><th>from</th><th>to</th></tr></thead>
          <tbody>{events.map((e) => <tr><td class="date">{e.at.slice(0, 19).replace('T', ' ')}</td><td><code>{e.client_order_id}</code></td><td>{e.kind}</td><td>{e.from_state ?? '–'}</td><td>{e.to_state}</td></tr>)}</tbody></table></div>
      )}
      <details><summary>Signal as stored (regime, scan, targets, prices)</summary><pre>{pretty(run.signal)}</pre></details>
      <details><summary>Summary as stored (order counts, notionals)</summary><pre>{pretty(run.summary)}</pre></details>
      <details><summary>Parameters</summary><pre>{pretty(run.params)}</pre></details>
    </>
  );
}
