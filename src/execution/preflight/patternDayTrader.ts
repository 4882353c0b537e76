/**
 * @module Pre-flight 3 — pattern-day-trader exposure. Selling a symbol bought today is a day trade.
 * Below $25,000 of equity FINRA allows 3 day trades in 5 sessions; the broker's daytrade_count
 * says how many are used. A batch whose day trades would bring the count past the limit FAILs
 * (with 3 already used, any such sell is refused); one that stays within it WARNs with the count.
 */
import { money } from './format.js';
import type { PreflightInput, PreflightOptions, PreflightResult } from './types.js';

export function checkPatternDayTrader(input: PreflightInput, options: PreflightOptions): PreflightResult {
  const name = 'pattern day trader';
  const a = input.account;
  const sells = input.orders.filter((o) => o.side === 'sell');
  const dayTrades = [...new Set(sells.filter((o) => (input.boughtToday.get(o.symbol) ?? 0) > 0).map((o) => o.symbol))].sort();
  const count = Number.isFinite(a.daytradeCount) ? a.daytradeCount : 0;
  const flag = a.patternDayTrader ? '; the account is flagged pattern day trader' : '';
  if (dayTrades.length === 0) {
    return { check: 3, name, result: 'PASS', reason: `no sell of shares bought today (${sells.length} sell(s) checked); daytrade_count ${count}${flag}` };
  }
  const list = dayTrades.map((s) => `${s} (${input.boughtToday.get(s)} bought today)`).join(', ');
  const floor = options.pdtEquityThreshold;
  if (Number.isFinite(a.equity) && a.equity >= floor) {
    return { check: 3, name, result: 'PASS', reason: `${dayTrades.length} day trade(s): ${list}; equity ${money(a.equity)} >= ${money(floor)}, the day-trade limit does not apply (daytrade_count ${count})${flag}` };
  }
  const after = count + dayTrades.length;
  const limit = options.pdtMaxDayTrades;
  const head = `selling ${list} would be day trade(s) ${count + 1}..${after} in 5 sessions with equity ${money(a.equity)} < ${money(floor)}`;
  if (after > limit) {
    return { check: 3, name, result: 'FAIL', reason: `${head}: daytrade_count ${count} + ${dayTrades.length} > ${limit} allowed${flag}; sell these after today's session` };
  }
  return { check: 3, name, result: 'WARN', reason: `${head}: daytrade_count ${count} + ${dayTrades.length} <= ${limit} allowed${flag}` };
}
