import { csvLine } from '../data/csv/parseCsv.js';
import type { StrategyRun } from './compare.js';

/** Every fill of every strategy run, one row each. */
export function tradesCsv(runs: readonly StrategyRun[]): string {
  let out = csvLine(['strategy', 'date', 'symbol', 'side', 'intent', 'qty', 'price', 'notional', 'commission', 'slippage', 'cost']);
  for (const r of runs) {
    for (const t of r.result.trades) {
      out += csvLine([r.name, t.date, t.symbol, t.side, t.intent, round(t.qty, 6), round(t.price, 6), round(t.notional, 2), round(t.commission, 2), round(t.slippage, 2), round(t.cost, 2)]);
    }
  }
  return out;
}

/** The regime and allocation at each rebalance (and each daily-mode re-target), with the stocks chosen. */
export function rebalancesCsv(runs: readonly StrategyRun[]): string {
  let out = csvLine(['strategy', 'date', 'kind', 'regime', 'allocation', 'chosen']);
  for (const r of runs) {
    for (const rb of r.result.rebalances) {
      out += csvLine([r.name, rb.date, rb.kind, rb.regime ?? '', rb.allocation, rb.chosen.map((c) => c.symbol).join(' ')]);
    }
  }
  return out;
}

function round(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '';
}
