/**
 * @module Pre-flight 5 — price agreement. For every traded symbol the broker's latest trade must be
 * within `priceBand` (10%) of the store's last close; outside it the store's prices are wrong or
 * out of date (a split not yet applied, a bad import), so the check FAILs naming the symbols.
 * A broker that cannot give latest trades, or has none for a symbol, WARNs: not checked.
 */
import { le } from '../gates/common.js';
import { money, pct } from './format.js';
import type { PreflightInput, PreflightOptions, PreflightResult } from './types.js';

export function checkPriceAgreement(input: PreflightInput, options: PreflightOptions): PreflightResult {
  const name = 'price agreement';
  const band = options.priceBand;
  const symbols = [...new Set(input.orders.map((o) => o.symbol))].sort();
  if (symbols.length === 0) return { check: 5, name, result: 'PASS', reason: 'no symbols traded' };
  if (input.latestTrades === undefined) {
    return { check: 5, name, result: 'WARN', reason: `not checked: the broker gives no latest trades (${symbols.length} symbol(s) traded)` };
  }
  const off: string[] = [];
  const unchecked: string[] = [];
  let worst = 0;
  for (const sym of symbols) {
    const close = input.lastCloses.get(sym);
    const trade = input.latestTrades.get(sym);
    if (close === undefined || !(close > 0)) {
      unchecked.push(`${sym} (no close in the store)`);
      continue;
    }
    if (trade === undefined || !(trade.price > 0)) {
      unchecked.push(`${sym} (no trade at the broker)`);
      continue;
    }
    const dev = trade.price / close - 1;
    worst = Math.max(worst, Math.abs(dev));
    if (!le(Math.abs(dev), band)) off.push(`${sym} broker ${money(trade.price)} vs store ${money(close)} (${dev >= 0 ? '+' : ''}${pct(dev)})`);
  }
  if (off.length > 0) {
    return { check: 5, name, result: 'FAIL', reason: `outside ±${pct(band)}: ${off.join(', ')}; check the store's data (a split or a bad import) and sync it` };
  }
  const checked = symbols.length - unchecked.length;
  const within = `${checked} symbol(s) within ±${pct(band)} of the store's last close (largest gap ${pct(worst)})`;
  if (unchecked.length > 0) return { check: 5, name, result: 'WARN', reason: `${within}; not checked: ${unchecked.join(', ')}` };
  return { check: 5, name, result: 'PASS', reason: within };
}
