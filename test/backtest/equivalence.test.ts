import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runBacktest, type BacktestConfig } from '../../src/backtest/engine.js';
import { syntheticPanel, syntheticRegimes } from '../../src/backtest/synthetic.js';
import { DEFAULT_ALLOCATION } from '../../src/portfolio/allocation.js';
import { referenceBacktest } from './referenceSimulator.js';
import { precomputeMomentum } from '../../src/selection/momentum52w.js';

const settings = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  symbols: fc.integer({ min: 2, max: 8 }),
  sessions: fc.integer({ min: 60, max: 260 }),
  gapProb: fc.constantFrom(0, 0, 0.03),
  lateListingProb: fc.constantFrom(0, 0.3),
  delistProb: fc.constantFrom(0, 0.3),
  splitProb: fc.constantFrom(0, 0.005),
  lookback: fc.integer({ min: 5, max: 40 }),
  volumeWindow: fc.integer({ min: 2, max: 10 }),
  topN: fc.integer({ min: 1, max: 5 }),
  minDistance: fc.constantFrom(0.5, 0.8, 0.9, 0.95),
  volumeFilter: fc.boolean(),
  volumeMultiplier: fc.constantFrom(0.8, 1.25),
  rebalance: fc.constantFrom('semiannual', 'quarterly', 'monthly') as fc.Arbitrary<'semiannual' | 'quarterly' | 'monthly'>,
  regimeMode: fc.constantFrom('off', 'rebalance', 'daily') as fc.Arbitrary<'off' | 'rebalance' | 'daily'>,
  regimeWarmup: fc.integer({ min: 0, max: 40 }),
  fill: fc.constantFrom('open', 'close') as fc.Arbitrary<'open' | 'close'>,
  wholeShares: fc.boolean(),
  commissionBps: fc.constantFrom(0, 10, 50),
  slippageBps: fc.constantFrom(0, 10, 50),
  minNotional: fc.constantFrom(0, 0, 500),
  cashRate: fc.constantFrom(0, 0.05),
  initialCash: fc.constantFrom(100_000, 5_000),
  fromFrac: fc.double({ min: 0, max: 0.5, noNaN: true }),
  toFrac: fc.double({ min: 0.6, max: 1, noNaN: true }),
  subset: fc.boolean(),
  membership: fc.boolean(),
  reusePrecomputation: fc.boolean(),
  regimeTolerance: fc.constantFrom(0, 0.005, 0.02),
});

describe('engine vs reference simulator', () => {
  it('agree on daily equity to 1e-9 for random panels and settings', () => {
    let withTrades = 0;
    let runs = 0;
    fc.assert(
      fc.property(settings, (s) => {
        const panel = syntheticPanel({
          symbols: s.symbols,
          sessions: s.sessions,
          seed: s.seed,
          gapProb: s.gapProb,
          lateListingProb: s.lateListingProb,
          delistProb: s.delistProb,
          splitProb: s.splitProb,
          drift: 0.002,
          startDate: '2018-11-01',
        });
        const regimes = syntheticRegimes(panel.dates, s.seed + 1, s.regimeWarmup, 0.9);
        const from = panel.dates[Math.floor(s.fromFrac * (panel.dates.length - 1))];
        const to = panel.dates[Math.floor(s.toFrac * (panel.dates.length - 1))];
        const symbols = s.subset ? panel.symbols.filter((_, i) => i % 2 === 0) : panel.symbols;
        // Membership: odd-numbered symbols join only after the middle date.
        const mid = panel.dates[Math.floor(panel.dates.length / 2)];
        const isMember = s.membership
          ? (sym: string, date: string) => symbols.includes(sym) && (Number(sym.slice(1)) % 2 === 0 || date >= mid)
          : (sym: string) => symbols.includes(sym);
        const common = {
          topN: s.topN,
          minDistance: s.minDistance,
          volumeFilter: s.volumeFilter,
          volumeMultiplier: s.volumeMultiplier,
          lookback: s.lookback,
          volumeWindow: s.volumeWindow,
          rebalance: s.rebalance,
          from,
          to,
          initialCash: s.initialCash,
          regimeMode: s.regimeMode,
          allocation: DEFAULT_ALLOCATION,
          fill: s.fill,
          commissionBps: s.commissionBps,
          slippageBps: s.slippageBps,
          wholeShares: s.wholeShares,
          minNotional: s.minNotional,
          cashRate: s.cashRate,
          regimeTolerance: s.regimeTolerance,
        };
        const cfg: BacktestConfig = { ...common, universe: { symbols, isMember } };
        if (s.reusePrecomputation) cfg.precomputed = precomputeMomentum(panel, s.lookback);
        const fast = runBacktest(panel, s.regimeMode === 'off' ? null : regimes, cfg);
        const ref = referenceBacktest(panel, s.regimeMode === 'off' ? null : regimes, { ...common, symbols, isMember });
        expect(fast.dates).toEqual(ref.dates);
        for (let i = 0; i < ref.equity.length; i++) {
          const tol = 1e-9 * Math.max(1, Math.abs(ref.equity[i]));
          if (Math.abs(fast.equity[i] - ref.equity[i]) > tol) {
            throw new Error(`day ${ref.dates[i]}: engine ${fast.equity[i]} vs reference ${ref.equity[i]}`);
          }
        }
        expect(fast.trades.length).toBe(ref.tradeCount);
        runs++;
        if (fast.trades.length > 0) withTrades++;
      }),
      { numRuns: 150, seed: 20260601 },
    );
    // The comparison is only meaningful if most runs trade.
    console.log(`equivalence: ${withTrades}/${runs} runs traded`);
    expect(withTrades / runs).toBeGreaterThan(0.6);
  });
});
