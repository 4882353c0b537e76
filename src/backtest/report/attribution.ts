/**
 * @module Per-position attribution: what each symbol added to the run's P&L, from its cash flows
 * (sells net of commission less buys plus commission; slippage is already in the fill prices) plus
 * what is still held at the end, marked at the last price. The rows plus interest on cash add up to
 * the final equity less the initial cash.
 */
import type { BacktestResult } from '../engine.js';

export interface Attribution {
  symbol: string;
  pnl: number;
  /** pnl / initial cash */
  contribution: number;
  trades: number;
  bought: number;
  /** Still held at the end (its value is in pnl). */
  open: boolean;
}

export function attribution(result: Pick<BacktestResult, 'trades' | 'openPositions' | 'config'>): Attribution[] {
  const rows = new Map<string, Attribution>();
  const row = (symbol: string) => {
    let r = rows.get(symbol);
    if (!r) rows.set(symbol, (r = { symbol, pnl: 0, contribution: 0, trades: 0, bought: 0, open: false }));
    return r;
  };
  for (const t of result.trades) {
    const r = row(t.symbol);
    r.trades++;
    if (t.side === 'buy') {
      r.pnl -= t.notional + t.commission;
      r.bought += t.notional;
    } else r.pnl += t.notional - t.commission;
  }
  for (const p of result.openPositions) {
    const r = row(p.symbol);
    r.pnl += p.value;
    r.open = true;
  }
  const cash = result.config.initialCash;
  return [...rows.values()].map((r) => ({ ...r, contribution: cash > 0 ? r.pnl / cash : Number.NaN })).sort((a, b) => b.pnl - a.pnl || (a.symbol < b.symbol ? -1 : 1));
}
