import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Account, LatestTrade } from '../../src/execution/brokers/broker.js';
import {
  cashBudget,
  formatPreflightResults,
  lastCompletedSession,
  preflightPassed,
  runPreflight,
  type PreflightInput,
  type PreflightOrder,
  type PreflightResult,
} from '../../src/execution/preflight/index.js';

const account = (over: Partial<Account> = {}): Account => ({
  id: 'PA1', cash: 50_000, buyingPower: 50_000, equity: 100_000, portfolioValue: 100_000, currency: 'USD', status: 'ACTIVE',
  tradingBlocked: false, accountBlocked: false, tradeSuspendedByUser: false, multiplier: 1, nonMarginableBuyingPower: 50_000,
  daytradeCount: 0, patternDayTrader: false, ...over,
});

// Tuesday 2026-11-24, 10:00 ET: the last completed session is Monday 2026-11-23.
const NOW = new Date('2026-11-24T15:00:00Z');
const FRESH = '2026-11-23';

function input(over: Partial<PreflightInput> = {}): PreflightInput {
  const orders: PreflightOrder[] = over.orders ? [...over.orders] : [{ symbol: 'AAPL', side: 'buy', qty: 10 }, { symbol: 'MSFT', side: 'sell', qty: 5 }];
  const symbols = [...new Set([...orders.map((o) => o.symbol), 'SPY', 'VIX'])];
  return {
    account: account(),
    orders,
    now: NOW,
    lastBarDates: new Map(symbols.map((s) => [s, FRESH])),
    lastCloses: new Map(orders.map((o) => [o.symbol, 100])),
    latestTrades: new Map<string, LatestTrade>(orders.map((o) => [o.symbol, { price: 101, at: NOW }])),
    boughtToday: new Map(),
    ...over,
  };
}

const check = (n: number, over: Partial<PreflightInput> = {}): PreflightResult => runPreflight(input(over))[n - 1];

describe('pre-flight checks', () => {
  it('all five PASS on a healthy account with fresh, agreeing data; numbered P1..P5', () => {
    const r = runPreflight(input());
    expect(r.map((x) => [x.check, x.name, x.result])).toEqual([
      [1, 'account status', 'PASS'],
      [2, 'cash vs margin', 'PASS'],
      [3, 'pattern day trader', 'PASS'],
      [4, 'data freshness', 'PASS'],
      [5, 'price agreement', 'PASS'],
    ]);
    expect(preflightPassed(r)).toBe(true);
    expect(formatPreflightResults(r).split('\n')[0]).toBe('[P1] account status     PASS  account PA1 is ACTIVE; not trading_blocked, account_blocked or trade_suspended_by_user');
  });

  describe('P1 account status', () => {
    it.each([
      [{ status: 'ACCOUNT_UPDATED' }, /status is ACCOUNT_UPDATED, not ACTIVE/],
      [{ tradingBlocked: true }, /trading_blocked/],
      [{ accountBlocked: true }, /account_blocked/],
      [{ tradeSuspendedByUser: true }, /trade_suspended_by_user/],
    ] as const)('%o FAILs', (over, reason) => {
      const r = check(1, { account: account(over) });
      expect(r.result).toBe('FAIL');
      expect(r.reason).toMatch(reason);
    });

    it('lists every flag that is set; a lower-case active status passes', () => {
      expect(check(1, { account: account({ tradingBlocked: true, accountBlocked: true }) }).reason).toBe('account PA1 cannot trade: trading_blocked; account_blocked');
      expect(check(1, { account: account({ status: 'active' }) }).result).toBe('PASS');
      expect(preflightPassed(runPreflight(input({ account: account({ tradingBlocked: true }) })))).toBe(false);
    });
  });

  describe('P2 cash vs margin', () => {
    it('cash account: budget is min(non-marginable buying power, cash)', () => {
      const a = account({ cash: 50_000, nonMarginableBuyingPower: 42_000 });
      expect(cashBudget(a, false)).toMatchObject({ kind: 'cash', budget: 42_000 });
      const r = check(2, { account: a });
      expect(r.result).toBe('PASS');
      expect(r.reason).toBe('cash account (multiplier 1): buys sized from min(non-marginable buying power $42,000.00, cash $50,000.00) = $42,000.00');
    });

    it('margin account: says so and sizes from cash unless useMargin (then WARN)', () => {
      const a = account({ multiplier: 2, cash: 30_000, buyingPower: 120_000 });
      expect(cashBudget(a, false)).toMatchObject({ kind: 'margin', budget: 30_000 });
      expect(cashBudget(a, true)).toMatchObject({ kind: 'margin', budget: 120_000 });
      const r = check(2, { account: a });
      expect(r.result).toBe('PASS');
      expect(r.reason).toMatch(/^margin account \(multiplier 2\): buys sized from cash, min\(cash \$30,000.00, buying power \$120,000.00\) = \$30,000.00; margin is not used/);
      const m = check(2, { account: a, options: { useMargin: true } });
      expect(m.result).toBe('WARN');
      expect(m.reason).toMatch(/sized from margin buying power \$120,000.00/);
    });

    it('no money with buys FAILs; a sells-only batch passes; an unknown multiplier FAILs', () => {
      const broke = account({ cash: 0, nonMarginableBuyingPower: 0 });
      expect(check(2, { account: broke }).result).toBe('FAIL');
      expect(check(2, { account: broke }).reason).toMatch(/nothing to buy with .* 1 buy\(s\)/);
      expect(check(2, { account: broke, orders: [{ symbol: 'MSFT', side: 'sell', qty: 5 }] }).result).toBe('PASS');
      expect(check(2, { account: account({ cash: 0.01, nonMarginableBuyingPower: 0.01 }) }).result).toBe('PASS');
      expect(check(2, { account: account({ multiplier: Number.NaN }) }).result).toBe('FAIL');
      expect(check(2, { account: account({ multiplier: 0 }) }).result).toBe('FAIL');
    });
  });

  describe('P3 pattern day trader', () => {
    const sellAapl: PreflightOrder[] = [{ symbol: 'AAPL', side: 'sell', qty: 10 }];
    const bought = new Map([['AAPL', 10]]);
    it('a sell of shares bought today under $25k with daytrade_count 3 is refused', () => {
      const r = check(3, { orders: sellAapl, boughtToday: bought, account: account({ equity: 24_999.99, daytradeCount: 3 }) });
      expect(r.result).toBe('FAIL');
      expect(r.reason).toBe(
        'selling AAPL (10 bought today) would be day trade(s) 4..4 in 5 sessions with equity $24,999.99 < $25,000.00: daytrade_count 3 + 1 > 3 allowed; sell these after today\'s session',
      );
    });

    it('boundaries: $25,000 equity passes; count 2 WARNs; count 2 with two day trades FAILs; no buy today passes', () => {
      expect(check(3, { orders: sellAapl, boughtToday: bought, account: account({ equity: 25_000, daytradeCount: 3 }) }).result).toBe('PASS');
      expect(check(3, { orders: sellAapl, boughtToday: bought, account: account({ equity: 20_000, daytradeCount: 2 }) }).result).toBe('WARN');
      const two: PreflightOrder[] = [...sellAapl, { symbol: 'MSFT', side: 'sell', qty: 1 }];
      expect(check(3, { orders: two, boughtToday: new Map([['AAPL', 10], ['MSFT', 1]]), account: account({ equity: 20_000, daytradeCount: 2 }) }).result).toBe('FAIL');
      expect(check(3, { orders: sellAapl, boughtToday: new Map([['MSFT', 3]]), account: account({ equity: 20_000, daytradeCount: 3 }) }).result).toBe('PASS');
      // a buy of a symbol bought today is not a day trade
      expect(check(3, { orders: [{ symbol: 'AAPL', side: 'buy', qty: 1 }], boughtToday: bought, account: account({ equity: 20_000, daytradeCount: 3 }) }).result).toBe('PASS');
    });
  });

  describe('P4 data freshness', () => {
    it('lastCompletedSession follows the NYSE calendar (close instant, weekends, holidays, early closes)', () => {
      expect(lastCompletedSession(new Date('2026-11-24T15:00:00Z'))).toBe('2026-11-23');
      expect(lastCompletedSession(new Date('2026-11-24T20:59:59.999Z'))).toBe('2026-11-23');
      expect(lastCompletedSession(new Date('2026-11-24T21:00:00Z'))).toBe('2026-11-24');
      expect(lastCompletedSession(new Date('2026-11-26T18:00:00Z'))).toBe('2026-11-25'); // Thanksgiving
      expect(lastCompletedSession(new Date('2026-11-27T17:59:00Z'))).toBe('2026-11-25'); // early close 13:00 ET
      expect(lastCompletedSession(new Date('2026-11-27T18:00:00Z'))).toBe('2026-11-27');
      expect(lastCompletedSession(new Date('2026-11-29T12:00:00Z'))).toBe('2026-11-27'); // Sunday
    });

    it('one session behind FAILs, naming the symbols; WARN with allowStale', () => {
      const dates = new Map([['AAPL', FRESH], ['MSFT', '2026-11-20'], ['SPY', FRESH]]);
      const r = check(4, { lastBarDates: dates });
      expect(r.result).toBe('FAIL');
      expect(r.reason).toBe(
        'last completed session 2026-11-23; 4 symbol(s) checked; stale: MSFT 2026-11-20 (1 session(s) behind), VIX has no bars; run `atlas data sync` or pass --allow-stale',
      );
      expect(check(4, { lastBarDates: dates, options: { allowStale: true } }).result).toBe('WARN');
    });

    it('1,483 sessions old FAILs; a bar dated after today FAILs even with allowStale; today\'s in-progress bar WARNs', () => {
      const old = check(4, { lastBarDates: new Map([['AAPL', '2020-12-31'], ['MSFT', FRESH], ['SPY', FRESH], ['VIX', FRESH]]) });
      expect(old.result).toBe('FAIL');
      expect(old.reason).toMatch(/AAPL 2020-12-31 \(\d{4} session\(s\) behind\)/);
      const future = new Map([['AAPL', '2099-01-02'], ['MSFT', FRESH], ['SPY', FRESH], ['VIX', FRESH]]);
      expect(check(4, { lastBarDates: future, options: { allowStale: true } }).result).toBe('FAIL');
      expect(check(4, { lastBarDates: future }).reason).toMatch(/bars dated after today 2026-11-24: AAPL 2099-01-02/);
      const today = new Map([['AAPL', '2026-11-24'], ['MSFT', FRESH], ['SPY', FRESH], ['VIX', FRESH]]);
      expect(check(4, { lastBarDates: today }).result).toBe('WARN');
      // after the close the same bar is the last completed session
      const after = new Map([['AAPL', '2026-11-24'], ['MSFT', '2026-11-24'], ['SPY', '2026-11-24'], ['VIX', '2026-11-24']]);
      expect(check(4, { lastBarDates: after, now: new Date('2026-11-24T21:00:00Z') }).result).toBe('PASS');
      expect(check(4, { lastBarDates: after, now: new Date('2026-11-24T21:00:00Z'), options: { benchmarks: ['SPY'] } }).reason).toMatch(/3 symbol\(s\) checked/);
    });
  });

  describe('P5 price agreement', () => {
    const trades = (aapl: number) => new Map<string, LatestTrade>([['AAPL', { price: aapl, at: NOW }], ['MSFT', { price: 100, at: NOW }]]);
    it('exactly at the band passes; just outside FAILs naming the symbol with both prices', () => {
      expect(check(5, { latestTrades: trades(110) }).result).toBe('PASS');
      expect(check(5, { latestTrades: trades(90) }).result).toBe('PASS');
      const r = check(5, { latestTrades: trades(110.01) });
      expect(r.result).toBe('FAIL');
      expect(r.reason).toBe("outside ±10.00%: AAPL broker $110.01 vs store $100.00 (+10.01%); check the store's data (a split or a bad import) and sync it");
      expect(check(5, { latestTrades: trades(50) }).reason).toMatch(/AAPL broker \$50.00 vs store \$100.00 \(-50.00%\)/);
    });

    it('the band is configurable; a broker without latest trades WARNs "not checked"; a missing trade WARNs', () => {
      expect(check(5, { latestTrades: trades(104), options: { priceBand: 0.03 } }).result).toBe('FAIL');
      const none = check(5, { latestTrades: undefined });
      expect(none.result).toBe('WARN');
      expect(none.reason).toMatch(/^not checked: the broker gives no latest trades/);
      const partial = check(5, { latestTrades: new Map([['AAPL', { price: 100, at: NOW }]]) });
      expect(partial.result).toBe('WARN');
      expect(partial.reason).toMatch(/not checked: MSFT \(no trade at the broker\)/);
    });

    it('property: PASS or WARN iff every checked gap is within the band', () => {
      fc.assert(
        fc.property(fc.double({ min: 1, max: 1000, noNaN: true }), fc.double({ min: 1, max: 1000, noNaN: true }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), (close, trade, band) => {
          const r = check(5, {
            orders: [{ symbol: 'AAPL', side: 'buy', qty: 1 }],
            lastCloses: new Map([['AAPL', close]]),
            latestTrades: new Map([['AAPL', { price: trade, at: NOW }]]),
            options: { priceBand: band },
          });
          const gap = Math.abs(trade / close - 1);
          if (gap <= band) expect(r.result).toBe('PASS');
          if (gap > band * (1 + 1e-6) + 1e-9) expect(r.result).toBe('FAIL');
        }),
      );
    });
  });
});
