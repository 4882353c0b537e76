/** atlas parity's per-order reasons (explainOrders): every order the two sides do not share gets the first cause that applies. */
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest/engine.js';
import { explainOrders, type LiveOrderNote, type OrderMatch } from '../../src/operations/parity/parity.js';
import type { AccountSnapshot } from '../../src/operations/snapshots/snapshot.js';

const snap = (session: string, equity: number, positions: [string, number, number][]): AccountSnapshot => ({
  account: 'A', broker: 'paper', session, takenAt: '', source: 'live', strategyHash: null, equity, cash: 0, exposure: 1, regime: null, allocation: 0.7, exposureDrift: null, spyClose: null,
  positions: positions.map(([symbol, qty, price]) => ({ symbol, qty, price, value: qty * price, weight: 0, target: 0, drift: 0 })),
});
const note = (symbol: string, side: 'buy' | 'sell', extra: Partial<LiveOrderNote> = {}): LiveOrderNote => ({
  date: '2020-01-03', decisionDate: '2020-01-02', symbol, side, plannedQty: 10, qty: 10, refPrice: 100, state: 'filled', reason: null, resized: null, allocation: 0.7, tolerance: 0.005, ...extra,
});
const trade = (date: string, symbol: string, side: 'buy' | 'sell', qty: number, price = 100) => ({ date, symbol, side, qty, price, notional: qty * price, commission: 0, slippage: 0, cost: 0, intent: 'OPEN' });
const match = (symbol: string, side: 'buy' | 'sell', liveQty: number | null, backtestQty: number | null, verdict: OrderMatch['verdict']): OrderMatch => ({ date: '2020-01-03', symbol, side, liveQty, backtestQty, verdict });

describe('explainOrders', () => {
  const snaps = [snap('2020-01-02', 10_000, [['HELD', 30, 100]]), snap('2020-01-03', 10_000, [])];
  const bt = { dates: ['2020-01-02', '2020-01-03'], equity: [9_990, 10_000], trades: [trade('2019-12-31', 'HELD', 'buy', 31), trade('2020-01-03', 'GAP', 'buy', 60), trade('2020-01-03', 'ROUND', 'buy', 6), trade('2020-01-03', 'REJ', 'buy', 5), trade('2020-01-03', 'RES', 'buy', 10), trade('2020-01-03', 'HELD', 'sell', 31)] } as unknown as BacktestResult;

  it('gives each cause in order, and nothing to an order that is the same', () => {
    const orders = [
      match('REJ', 'buy', null, 5, 'backtest only'),
      match('RES', 'buy', 8, 10, 'different'),
      match('HELD', 'sell', 30, 31, 'within one share'),
      match('GAP', 'buy', 40, 60, 'different'),
      match('ROUND', 'buy', 5, 6, 'within one share'),
      match('SAME', 'buy', 3, 3, 'same'),
    ];
    const live = [
      note('REJ', 'buy', { state: 'rejected', reason: 'insufficient cash at fill' }),
      note('RES', 'buy', { resized: 're-sized from 10 to the cash available after the SELL phase (800.00)', plannedQty: 10, qty: 8 }),
      note('HELD', 'sell'), note('GAP', 'buy', { qty: 40, plannedQty: 40 }), note('ROUND', 'buy', { qty: 5, plannedQty: 5, allocation: 1 }), note('SAME', 'buy'),
    ];
    explainOrders(orders, live, snaps, bt, () => 1);
    const why = Object.fromEntries(orders.map((o) => [o.symbol, o.reason]));
    expect(why.REJ).toBe("the account's order of 10 was rejected: insufficient cash at fill");
    expect(why.RES).toContain('re-sized from 10 to the cash available after the SELL phase');
    expect(why.HELD).toBe('an earlier difference carried on: before it the account held 30 HELD, the backtest 31');
    // The backtest's book after its orders: 60 GAP, 6 ROUND, 5 REJ, 10 RES (and -1 HELD) at 100 = 82% > 70.5%
    expect(why.GAP).toMatch(/^gate 7: the backtest's orders would take the exposure to \d+\.\d\d% of equity/);
    expect(why.ROUND).toBe('whole-share rounding of the same target weight on slightly different equity (equity at the decision close: account 10000.00, backtest 9990.00)');
    expect(why.SAME).toBeUndefined();
  });
});
