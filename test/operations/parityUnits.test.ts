/**
 * Parity compares orders in the account's shares: the backtest's adjusted shares times the bar's
 * adjClose / close. A whole-share BUY of the same dollars is "within one share" in that unit, and
 * "different" when adjusted and raw shares are compared as if they were one unit.
 */
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest/engine.js';
import { matchOrders, type FillShortfall } from '../../src/operations/parity/parity.js';

const fill = (symbol: string, qty: number): FillShortfall => ({
  runId: 'r', decisionDate: '2020-03-02', fillDate: '2020-03-03', symbol, side: 'buy', qty, price: 100,
  decisionClose: 100, nextOpen: 100, vsCloseBps: 0, vsOpenBps: 0,
});
// $10,000 at a raw price of 100 and an adjusted price of 95 (factor 0.95): 100 raw shares, 105 adjusted.
const backtest = { trades: [{ date: '2020-03-03', symbol: 'DIV', side: 'buy', qty: 105, intent: 'OPEN' }, { date: '2020-03-03', symbol: 'NODIV', side: 'buy', qty: 40, intent: 'OPEN' }] } as unknown as BacktestResult;
const factor = (symbol: string) => (symbol === 'DIV' ? 0.95 : 1);

describe('matchOrders counts the backtest in the account\'s shares', () => {
  it('adjusted shares converted by adjClose / close: within one share', () => {
    const m = matchOrders([fill('DIV', 100), fill('NODIV', 40)], backtest, factor);
    expect(m.map((o) => [o.symbol, o.backtestQty, o.verdict])).toEqual([['DIV', 99.75, 'within one share'], ['NODIV', 40, 'same']]);
  });

  it('without the conversion the dividend payer looks like a different order', () => {
    const m = matchOrders([fill('DIV', 100)], backtest);
    expect(m.find((o) => o.symbol === 'DIV')!.verdict).toBe('different');
  });
});
