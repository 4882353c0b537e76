/** Gates 3 and 7 with a remainder sleeve: a cash-like sleeve counts as cash, the backtest's fast verdicts agree. */
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../src/execution/gates/index.js';
import { evaluateLiveGates, liveGateVerdicts, type LiveGateInput } from '../../src/backtest/liveGates.js';
import { buy, ctxOf, positions, asset } from './fixtures.js';

const assets = new Map(['AAA', 'BBB', 'BIL', 'XLP'].map((s) => [s, asset(100)]));

describe('gate 7 with a remainder sleeve', () => {
  // TREND_BEAR allocates 30%: holds 100 AAA @ 100 = 10% of $100,000; buys 200 BBB (20%) and 700 BIL (70%).
  const orders = [buy('BBB', 200), buy('BIL', 700)];
  const base = { regime: 'TREND_BEAR' as const, cash: 90_000, buyingPower: 90_000, assets };

  it('a T-bill sleeve counted as cash passes: stocks 30% <= 30.5%', () => {
    const v = validateBatch(orders, ctxOf({ ...base, cashLike: new Set(['BIL']) }));
    const g7 = v.gates[6];
    expect(g7.result).toBe('PASS');
    expect(g7.reason).toMatch(/resulting exposure 30\.00%.*BIL counted as cash/);
    // Gate 3: BIL at 70% of equity is cash, not a position over the 15% cap.
    expect(v.gates[2].perOrder!.find((p) => p.symbol === 'BIL')!.result).toBe('PASS');
  });

  it('the same sleeve counted as exposure fails: 100% > 30.5% and the batch raises it', () => {
    const v = validateBatch(orders, ctxOf(base));
    expect(v.gates[6].result).toBe('FAIL');
    expect(v.gates[6].reason).toMatch(/resulting exposure 100\.00%/);
    expect(v.gates[2].perOrder!.find((p) => p.symbol === 'BIL')!.result).toBe('WARN');
  });

  it('CRASH: only sells pass, but a cash-like sleeve buy is allowed', () => {
    const crash = ctxOf({ ...base, regime: 'CRASH', positions: positions({}), cash: 100_000, buyingPower: 100_000, cashLike: new Set(['BIL']) });
    expect(validateBatch([buy('BIL', 990)], crash).gates[6].result).toBe('PASS');
    const mixed = validateBatch([buy('BIL', 900), buy('XLP', 50)], crash).gates[6];
    expect(mixed.result).toBe('FAIL');
    expect(mixed.reason).toMatch(/1 buy order\(s\): XLP \(cash-like sleeve buys allowed: BIL\)/);
    expect(validateBatch([buy('XLP', 50)], { ...crash, cashLike: undefined }).gates[6].result).toBe('FAIL');
  });

  it("the backtest's fast verdicts agree with the real gates, with and without the sleeve counted as cash", () => {
    for (const cashLike of [undefined, new Set(['BIL']), new Set(['BIL', 'XLP'])]) {
      for (const regime of ['TREND_BULL', 'TREND_BEAR', 'CRASH'] as const) {
        const input: LiveGateInput = {
          orders: [
            { symbol: 'BBB', side: 'buy', qty: 200, intent: 'OPEN', refPrice: 100, notional: 20_000 },
            { symbol: 'BIL', side: 'buy', qty: 500, intent: 'OPEN', refPrice: 100, notional: 50_000 },
            { symbol: 'XLP', side: 'buy', qty: 100, intent: 'OPEN', refPrice: 100, notional: 10_000 },
          ],
          prices: new Map([['AAA', 100], ['BBB', 100], ['BIL', 100], ['XLP', 100]]),
          holdings: new Map([['AAA', 100]]),
          cash: 90_000, wholeShares: true, regime, mode: 'rebalance',
          allocation: { TREND_BULL: 1, TREND_NEUTRAL: 0.7, TREND_BEAR: 0.3, CRASH: 0 },
          rawClose: () => 100,
          ...(cashLike ? { cashLike } : {}),
        };
        expect(liveGateVerdicts(input), `${regime} ${[...(cashLike ?? [])].join(',')}`).toEqual(evaluateLiveGates(input).verdicts);
      }
    }
  });
});
