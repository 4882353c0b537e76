/**
 * Plain-text reports of a rebalance: the plan (scanner table, regime and allocation, orders,
 * gate report, resulting allocation) and the execution (order outcomes, final allocation). Pure.
 */
import { fmt, table } from '../../core/format.js';
import { formatGateResults } from '../gates/index.js';
import type { AllocationView, RebalanceResult } from './types.js';

const { pct: pctOf, price: num, money, shares } = fmt;
const pct = (x: number | null | undefined, digits = 1): string => pctOf(x, digits);

/** A table in the one table style (core/format.ts); `leftCols` are the left-aligned columns. */
export function textTable(head: string[], rows: (string | number)[][], leftCols: readonly number[] = [0]): string {
  return table(head, rows, { left: leftCols });
}

export function formatAllocation(a: AllocationView, title: string): string {
  const rows = a.positions.map((p) => [p.symbol, shares(p.qty), money(p.value), pct(p.weight, 2)]);
  return [
    `${title}: ${pct(a.exposurePct, 2)} invested (${money(a.exposure)} of equity ${money(a.equity)}), ${pct(1 - a.exposurePct, 2)} cash`,
    rows.length > 0 ? textTable(['symbol', 'qty', 'value', 'weight'], rows) : '(no positions)',
  ].join('\n');
}

/** "Remainder sleeve: etf:BIL 70.00% (BIL 70.00%), counts as cash for gate 7; cash 0.00%". */
export function sleeveLine(s: NonNullable<RebalanceResult['signal']>): string {
  const sl = s.sleeve;
  if (!sl || sl.kind === 'cash') {
    let stocks = 0;
    for (const w of Object.values(s.targets)) stocks += w;
    return `Remainder sleeve: cash ${pct(Math.max(0, 1 - stocks), 2)}`;
  }
  const parts = Object.entries(sl.weights).map(([sym, w]) => `${sym} ${pct(w, 2)}`);
  const total = Object.values(sl.weights).reduce((a, w) => a + w, 0);
  return `Remainder sleeve: ${sl.label} ${pct(total, 2)}${parts.length ? ` (${parts.join(', ')})` : ''}, counts as ${sl.countsAsCash ? 'cash' : 'exposure'} for gate 7; cash ${pct(sl.cashWeight, 2)}${sl.unpriced.length ? `; no price for ${sl.unpriced.join(', ')} (held as cash)` : ''}`;
}

/** The plan half: what a --dry-run prints, and what a live run shows before asking. */
export function formatPlanReport(r: RebalanceResult): string {
  const out: string[] = [];
  out.push(`Rebalance run ${r.runId}  (${r.dryRun ? 'DRY RUN, nothing will be sent' : 'live'}; broker ${r.broker}, account ${r.account})`);
  const s = r.signal;
  if (s) {
    out.push('');
    const override = s.regimeSource === 'override' ? ` (OVERRIDE; the model says ${s.modelRegime ?? 'n/a'}${s.modelDate ? ` on ${s.modelDate}` : ''})` : ` (model, ${s.modelDate ?? '-'})`;
    out.push(`Regime: ${s.regime}${override}   allocation ${pct(s.allocation, 0)} of equity, ${s.topN} slots of ${pct(s.allocation / s.topN, 2)}`);
    if (s.regimeSummary) out.push(`  ${s.regimeSummary}`);
    out.push(`Scanner: 52-week-high momentum on ${s.universe.name} at the close of ${s.dataDate}; selected ${s.selected.join(', ') || '(none)'}`);
    out.push(
      textTable(
        ['rank', 'symbol', 'close', '52w high', 'distance', 'filters', 'selected'],
        s.scan.map((row) => [
          row.rank ?? '-',
          row.symbol,
          num(row.close),
          num(row.high52),
          pct(row.distance, 1),
          row.eligible ? 'pass' : (row.reason ?? 'fail'),
          row.selected ? '*' : '',
        ]),
        [1, 5],
      ),
    );
    if (s.universe.survivorshipWarning) out.push(`note: ${s.universe.survivorshipWarning}`);
    out.push(sleeveLine(s));
  }
  if (r.plan) {
    out.push('');
    out.push(`Account: equity ${money(r.plan.equity)}, cash ${money(r.plan.cash)}, buying power ${money(r.plan.buyingPower)}`);
    if (r.plan.orders.length === 0) out.push('Orders: none (the book already matches the targets)');
    else {
      out.push(`Orders (${r.plan.orders.length}; SELLs are sent and filled before BUYs; market, day):`);
      out.push(
        textTable(
          ['#', 'side', 'qty', 'symbol', 'intent', 'ref price', 'notional', 'client order id'],
          r.plan.orders.map((o, i) => [i + 1, o.side.toUpperCase(), shares(o.qty), o.symbol, o.intent, num(o.refPrice), money(o.notional), o.clientOrderId]),
          [1, 3, 4, 7],
        ),
      );
    }
    for (const k of r.plan.skipped) out.push(`  not planned: ${k.symbol} ${k.side ?? ''} ${k.qty ?? ''} (${k.reason})`.replace(/\s+\(/, ' ('));
    out.push(`Cash after the plan: ${money(r.plan.cashAfter)}`);
  }
  if (r.validation) {
    out.push('');
    out.push('Gates:');
    out.push(formatGateResults(r.validation));
  }
  if (r.resulting) {
    out.push('');
    out.push(formatAllocation(r.resulting, 'Resulting allocation'));
  }
  if (r.stoppedBy && !r.buyPhase) out.push('', `STOPPED by gate ${r.stoppedBy.gate} (${r.stoppedBy.name}): ${r.stoppedBy.reason}`);
  return out.join('\n');
}

/** The execution half: order outcomes and what the account holds afterwards. */
export function formatExecutionReport(r: RebalanceResult): string {
  const out: string[] = [];
  const head: Record<string, string> = {
    completed: 'completed: every order filled',
    completed_with_issues: 'completed with issues (see the orders below)',
    already_completed: 'already completed earlier today: reconciled with the broker, no new orders placed',
    stopped: 'stopped by a gate',
    declined: 'declined at the confirmation: nothing sent',
    dry_run: 'dry run: nothing sent',
    nothing_to_do: 'nothing to do: the book already matches the targets',
    queued: 'queued: the market is closed, orders wait for the open',
    abandoned: 'abandoned: reconciled, working orders canceled, the run is closed',
  };
  out.push(`Run ${r.runId}${r.resumed ? ' (resumed)' : ''}: ${head[r.outcome] ?? r.outcome}`);
  if (r.buyPhase) {
    out.push(`BUY phase: budget ${money(r.buyPhase.budget)} for ${money(r.buyPhase.cost)} planned${r.buyPhase.scale < 1 ? `; buys re-sized x${r.buyPhase.scale.toFixed(4)}` : ''}${r.buyPhase.skipped.length ? `; skipped ${r.buyPhase.skipped.join(', ')}` : ''}`);
    if (r.buyPhase.validation.length > 0) out.push(formatGateResults(r.buyPhase.validation));
  }
  if (r.orders.length > 0) {
    out.push(
      textTable(
        ['leg', 'symbol', 'planned', 'sent', 'filled', 'avg price', 'state', 'client order id', 'note'],
        r.orders.map((o) => [o.leg.toUpperCase(), o.symbol, shares(o.plannedQty), shares(o.qty), shares(o.filledQty), num(o.filledAvgPrice), o.state, o.clientOrderId, o.reason ?? '']),
        [0, 1, 6, 7, 8],
      ),
    );
    const s = r.summary;
    out.push(
      `Summary: ${s.planned} planned, ${s.submitted} sent, ${s.filled} filled, ${s.partiallyFilled} partially filled, ${s.canceled} canceled, ${s.rejected} rejected, ${s.leftOpen} left open, ${s.queued} queued, ${s.resized} re-sized, ${s.skipped} skipped${s.abandoned > 0 ? `, ${s.abandoned} abandoned` : ''}; sold ${money(s.soldNotional)}, bought ${money(s.boughtNotional)}`,
    );
  }
  if (r.queued) {
    out.push(`Queued for the open${r.queued.nextOpen ? ` at ${r.queued.nextOpen}` : ''} (${r.queued.phase === 'sells' ? 'SELLs sent; the BUYs follow after their fills' : 'BUYs sent'}). After the open run: ${r.queued.resume}`);
  }
  if (r.stoppedBy) out.push(`STOPPED by gate ${r.stoppedBy.gate} (${r.stoppedBy.name}): ${r.stoppedBy.reason}`);
  if (r.final) out.push(formatAllocation(r.final, 'Account now'));
  return out.join('\n');
}

export function formatNotes(r: RebalanceResult): string {
  return r.notes.map((n) => `note: ${n}`).join('\n');
}
