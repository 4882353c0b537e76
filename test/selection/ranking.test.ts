import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { syntheticPanel } from '../../src/backtest/synthetic.js';
import { precomputeMomentum, rankCandidates, scanMomentum, symbolRanks } from '../../src/selection/momentum52w.js';
import { hasBar } from '../../src/data/panel.js';

describe('integer rankings', () => {
  it('symbolRanks is code-unit order', () => {
    expect([...symbolRanks(['MSFT', 'AAPL', 'BRK.B', 'A', 'aapl'])]).toEqual([3, 1, 2, 0, 4]);
  });

  it('rankCandidates lists the eligible names of scanMomentum in its rank order, down to the floor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.constantFrom(0.5, 0.8, 0.9), fc.boolean(), (seed, floor, volumeFilter) => {
        const p = syntheticPanel({ symbols: 12, sessions: 120, seed, gapProb: 0.05, lateListingProb: 0.3, delistProb: 0.2 });
        // Shuffle the panel's symbol names so panel order is not code-unit order.
        p.symbols = p.symbols.map((s, i) => (i % 2 ? `Z${s}` : s));
        const t = 100;
        const pre = precomputeMomentum(p, 30);
        const all = Int32Array.from(p.symbols, (_, i) => i);
        const syms = new Int32Array(all.length);
        const dist = new Float64Array(all.length);
        const count = rankCandidates(pre, t, all, { floor, volumeFilter, volumeMultiplier: 1.1, volumeWindow: 5 }, symbolRanks(p.symbols), undefined, syms, dist);
        const scan = scanMomentum(p, t, { lookback: 30, minDistance: floor, volumeFilter, volumeMultiplier: 1.1, volumeWindow: 5, topN: 100 });
        expect(Array.from(syms.subarray(0, count), (s) => p.symbols[s])).toEqual(scan.selected);
        expect(Array.from(dist.subarray(0, count))).toEqual(scan.rows.filter((r) => r.eligible).map((r) => r.distance));
      }),
      { numRuns: 60 },
    );
  });

  it('hasBar needs close, adjClose and high finite and positive', () => {
    const cols = (c: number, a: number, h: number) => ({ close: Float64Array.of(c), adjClose: Float64Array.of(a), high: Float64Array.of(h) });
    expect(hasBar(cols(1, 1, 1), 0)).toBe(true);
    expect(hasBar(cols(NaN, 1, 1), 0)).toBe(false);
    expect(hasBar(cols(1, Infinity, 1), 0)).toBe(false);
    expect(hasBar(cols(1, 1, 0), 0)).toBe(false);
    expect(hasBar(cols(-1, 1, 1), 0)).toBe(false);
  });
});
