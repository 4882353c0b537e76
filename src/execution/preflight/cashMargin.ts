/**
 * @module Pre-flight 2 — cash vs margin. The broker's `multiplier` says what the account is: 1 is a
 * cash account, whose real limit is min(non_marginable_buying_power, cash); 2 or 4 is a margin
 * account, which Atlas still sizes from its cash unless `useMargin` is set (then from buying
 * power, with a WARN). `cashBudget` gives the figure for planning.
 */
import { money } from './format.js';
import type { PreflightInput, PreflightOptions, PreflightResult } from './types.js';
import type { Account } from '../brokers/broker.js';

export interface CashBudget {
  kind: 'cash' | 'margin';
  /** What the buys may spend before sell proceeds (may be <= 0). */
  budget: number;
  /** How the budget was found, with numbers. */
  source: string;
}

const finite = (x: number): boolean => typeof x === 'number' && Number.isFinite(x);

export function cashBudget(account: Account, useMargin: boolean): CashBudget {
  if (account.multiplier > 1) {
    if (useMargin) return { kind: 'margin', budget: account.buyingPower, source: `buying power ${money(account.buyingPower)}` };
    const budget = Math.min(account.cash, finite(account.buyingPower) ? account.buyingPower : account.cash);
    return { kind: 'margin', budget, source: `min(cash ${money(account.cash)}, buying power ${money(account.buyingPower)}) = ${money(budget)}` };
  }
  const nmbp = account.nonMarginableBuyingPower;
  if (!finite(nmbp)) return { kind: 'cash', budget: account.cash, source: `cash ${money(account.cash)}` };
  const budget = Math.min(nmbp, account.cash);
  return { kind: 'cash', budget, source: `min(non-marginable buying power ${money(nmbp)}, cash ${money(account.cash)}) = ${money(budget)}` };
}

export function checkCashMargin(input: PreflightInput, options: PreflightOptions): PreflightResult {
  const a = input.account;
  const name = 'cash vs margin';
  if (!(finite(a.multiplier) && a.multiplier >= 1)) {
    return { check: 2, name, result: 'FAIL', reason: `the broker reports multiplier ${String(a.multiplier)}: cannot tell a cash account (1) from a margin account (2 or 4)` };
  }
  if (!finite(a.cash)) return { check: 2, name, result: 'FAIL', reason: `the broker reports cash ${String(a.cash)}: the funds are unknown` };
  const b = cashBudget(a, options.useMargin);
  const buys = input.orders.filter((o) => o.side === 'buy').length;
  const kind = b.kind === 'cash' ? 'cash account (multiplier 1)' : `margin account (multiplier ${a.multiplier})`;
  if (!finite(b.budget) || (buys > 0 && b.budget <= 0)) {
    return { check: 2, name, result: 'FAIL', reason: `${kind}: nothing to buy with (${b.source}) and the batch has ${buys} buy(s)` };
  }
  if (b.kind === 'margin' && options.useMargin) {
    return { check: 2, name, result: 'WARN', reason: `${kind}: buys sized from margin ${b.source} (useMargin is set; equity ${money(a.equity)})` };
  }
  if (b.kind === 'margin') {
    return { check: 2, name, result: 'PASS', reason: `${kind}: buys sized from cash, ${b.source}; margin is not used (set useMargin to size from buying power)` };
  }
  return { check: 2, name, result: 'PASS', reason: `${kind}: buys sized from ${b.source}` };
}
