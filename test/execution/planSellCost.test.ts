/** The live plan counts SELL proceeds net of the strategy's costs (sellCostBps), as the backtest's plan does. */
import { describe, expect, it } from 'vitest';
import { planOrders } from '../../src/execution/orderPlan.js';

describe('planOrders sellCostBps', () => {
  // Sell 100 A at 100 (10,000), buy B at 50 with the proceeds: 200 shares cost 10,000 x 1.0005 with the buffer.
  const base = { holdings: new Map([['A', 100]]), prices: new Map([['A', 100], ['B', 50]]), cash: 5, targetWeights: new Map([['B', 1]]), wholeShares: true, minNotional: 0, buyPriceBuffer: 0.0005 };

  it('gross proceeds (the default): the buy keeps the share the net proceeds cannot pay for', () => {
    const plan = planOrders(base);
    expect(plan.orders.find((o) => o.symbol === 'B')?.qty).toBe(200);
  });

  it('net of 5 bps: the buys are scaled to cash + proceeds x (1 - 0.0005), one share less', () => {
    const plan = planOrders({ ...base, sellCostBps: 5 });
    expect(plan.buyScale).toBeLessThan(1);
    expect(plan.orders.find((o) => o.symbol === 'B')?.qty).toBe(199);
    expect(plan.orders.find((o) => o.symbol === 'A')?.qty).toBe(100);
  });

  it('refuses a cost outside 0..10000 bps', () => {
    expect(() => planOrders({ ...base, sellCostBps: -1 })).toThrow(/sellCostBps/);
  });
});
