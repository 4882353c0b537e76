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

  it('with a depth, rankCandidates writes the first depth names of the full ranking, whatever the filters', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom(0, 0.5, 0.9),
        fc.boolean(),
        fc.integer({ min: 0, max: 14 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        fc.boolean(),
        (seed, floor, volumeFilter, depth, membership, duplicates) => {
          const p = syntheticPanel({ symbols: 30, sessions: 120, seed, gapProb: 0.05, lateListingProb: 0.3, delistProb: 0.2 });
          p.symbols = p.symbols.map((s, i) => (i % 3 ? `Z${s}` : s));
          // Ties in distance (a flat stretch gives several names distance 1) are broken by symbol.
          for (let s = 0; s < 30; s += 4) for (let d = 0; d <= 100; d++) for (const f of ['close', 'adjClose', 'high'] as const) p[f][s * 120 + d] = 50;
          const t = 100;
          const pre = precomputeMomentum(p, 30);
          const cands = Int32Array.from({ length: duplicates ? 40 : 30 }, (_, i) => i % 30);
          const ranks = symbolRanks(p.symbols);
          const member = (s: number) => membership[s];
          const opts = { floor, volumeFilter, volumeMultiplier: 1.1, volumeWindow: 5 };
          const fullS = new Int32Array(cands.length);
          const fullD = new Float64Array(cands.length);
          const all = rankCandidates(pre, t, cands, opts, ranks, member, fullS, fullD);
          const syms = new Int32Array(cands.length);
          const dist = new Float64Array(cands.length);
          const count = rankCandidates(pre, t, cands, { ...opts, depth }, ranks, member, syms, dist);
          expect(count).toBe(Math.min(depth, all));
          expect(Array.from(syms.subarray(0, count))).toEqual(Array.from(fullS.subarray(0, count)));
          expect(Array.from(dist.subarray(0, count))).toEqual(Array.from(fullD.subarray(0, count)));
        },
      ),
      { numRuns: 150 },
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
