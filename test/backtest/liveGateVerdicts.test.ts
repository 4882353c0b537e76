import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runBacktest } from '../../src/backtest/engine.js';
import { evaluateLiveGates, gateInputOf, liveGateVerdicts, type LiveGateInput } from '../../src/backtest/liveGates.js';
import { syntheticPanel, syntheticRegimes } from '../../src/backtest/synthetic.js';
import { DEFAULT_ALLOCATION, REGIMES, type Regime } from '../../src/portfolio/allocation.js';

/** The verdicts a backtest keeps without text must be the ones the real gates give. */
describe('liveGateVerdicts = evaluateLiveGates verdicts', () => {
  it('on random batches: shorts, penny stocks, unknown split basis, CRASH, no regime, zero equity', () => {
    const sym = fc.constantFrom('AAA', 'BBB', 'CCC', 'DDD', 'bad sym');
    const arb = fc.record({
      holdings: fc.array(fc.tuple(fc.constantFrom('AAA', 'BBB', 'CCC'), fc.double({ min: 0.5, max: 500, noNaN: true }), fc.double({ min: 1, max: 200, noNaN: true })), { maxLength: 3 }),
      orders: fc.array(
        fc.record({
          symbol: sym,
          side: fc.constantFrom('buy', 'sell') as fc.Arbitrary<'buy' | 'sell'>,
          qty: fc.oneof(fc.integer({ min: 1, max: 400 }), fc.double({ min: 0.1, max: 400, noNaN: true })),
          refPrice: fc.double({ min: 1, max: 200, noNaN: true }),
        }),
        { maxLength: 5 },
      ),
      cash: fc.oneof(fc.double({ min: 0, max: 50_000, noNaN: true }), fc.constant(-10)),
      wholeShares: fc.boolean(),
      regime: fc.constantFrom(null, ...REGIMES) as fc.Arbitrary<Regime | null>,
      mode: fc.constantFrom('off', 'rebalance', 'daily') as fc.Arbitrary<'off' | 'rebalance' | 'daily'>,
      raw: fc.dictionary(sym, fc.oneof(fc.double({ min: 0.5, max: 300, noNaN: true }), fc.constant(NaN))),
      unknown: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const holdings = new Map(a.holdings.map(([s, q]) => [s, q] as const));
        const prices = new Map(a.holdings.map(([s, , p]) => [s, p] as const));
        const input: LiveGateInput = {
          orders: a.orders.map((o) => ({ ...o, intent: 'OPEN' as const, notional: o.qty * o.refPrice })),
          prices, holdings, cash: a.cash, wholeShares: a.wholeShares, regime: a.regime, mode: a.mode, allocation: DEFAULT_ALLOCATION,
          rawClose: (s) => {
            const v = a.raw[s];
            return v !== undefined && Number.isFinite(v) ? v : undefined;
          },
          basisUnknown: a.unknown ? new Set(['AAA', 'CCC']) : undefined,
        };
        expect(liveGateVerdicts(input)).toEqual(evaluateLiveGates(input).verdicts);
      }),
      { numRuns: 600, seed: 77 },
    );
  });

  it('on every rebalance of random backtests, and the reasons are the real gates\' (built when read)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.constantFrom('off', 'daily') as fc.Arbitrary<'off' | 'daily'>, (seed, topN, wholeShares, regimeMode) => {
        const p = syntheticPanel({ symbols: 8, sessions: 300, seed, drift: 0.001, delistProb: 0.3, startDate: '2019-01-02' });
        const r = runBacktest(p, syntheticRegimes(p.dates, seed, 10, 0.9), { topN, wholeShares, regimeMode, lookback: 20, minDistance: 0.7, rebalance: 'monthly', initialCash: 5_000 });
        for (const b of r.rebalances) {
          const full = evaluateLiveGates(gateInputOf(b)!);
          expect(b.gates).toEqual(full.verdicts);
          expect(b.gateReasons).toEqual(full.reasons);
        }
        expect(JSON.parse(JSON.stringify(r.rebalances[0])).gateReasons).toHaveLength(7);
      }),
      { numRuns: 25, seed: 5 },
    );
  });
});
