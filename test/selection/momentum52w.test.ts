import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasBar, panelFromBars } from '../../src/data/panel.js';
import {
  precomputeMomentum,
  precomputeMomentumAt,
  scanMomentum,
  scanMomentumPrecomputed,
  selectTopPrecomputed,
} from '../../src/selection/momentum52w.js';
import { syntheticPanel } from '../../src/backtest/synthetic.js';
import { getUniverse } from '../../src/selection/universes.js';
import { loadRealBars, realDataDir } from '../support/realData.js';
import { expectSameData } from '../support/sameData.js';

const DATES = ['2020-01-06', '2020-01-07', '2020-01-08', '2020-01-09', '2020-01-10'];
type Row = [high: number, close: number, adj: number, volume: number];
const series = (symbol: string, rows: (Row | null)[]) => ({
  symbol,
  bars: rows.flatMap((r, i) => (r ? [{ date: DATES[i], open: r[1], high: r[0], low: r[1] * 0.9, close: r[1], adjClose: r[2], volume: r[3] }] : [])),
});

const panel = panelFromBars([
  // A: highs of the last 3 bars 11, 11.5, 11 -> 11.5; distance 10.8 / 11.5 = 0.93913 >= 0.90.
  //    volume 300 vs average of the 2 bars before (100 + 200) / 2 = 150: 300 > 1.25 x 150 = 187.5.
  series('A', [[10, 9, 9, 100], [12, 11, 11, 100], [11, 10.5, 10.5, 100], [11.5, 11, 11, 200], [11, 10.8, 10.8, 300]]),
  // B: adjusted = raw / 2. Adjusted highs of the last 3 bars 10, 10, 9.5 -> 10; distance 8.6 / 10 = 0.86 < 0.90.
  series('B', [[20, 19, 9.5, 100], [20, 19, 9.5, 100], [20, 19, 9.5, 100], [20, 19, 9.5, 100], [19, 17.2, 8.6, 100]]),
  // C: only 2 bars -> insufficient history.
  series('C', [null, null, null, [5, 5, 5, 1], [5, 5, 5, 1]]),
  // D: a raw 2:1 split after the third bar; adjusted highs 50.5, 50.5, 50.5, 51, 51 -> distance 50.5 / 51 = 0.990.
  //    On raw prices it would be 50.5 / 101 = 0.5. Volume 100 = average 100: fails a 1.25x filter.
  series('D', [[101, 100, 50, 100], [101, 100, 50, 100], [101, 100, 50, 100], [51, 50.5, 50.5, 100], [51, 50.5, 50.5, 100]]),
  // E: no bar on the scan date.
  series('E', [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], null]),
  // F: identical to A -> tie broken by symbol (A before F).
  series('F', [[10, 9, 9, 100], [12, 11, 11, 100], [11, 10.5, 10.5, 100], [11.5, 11, 11, 200], [11, 10.8, 10.8, 300]]),
]);

describe('scanMomentum (hand-computed)', () => {
  const opts = { lookback: 3, volumeWindow: 2, topN: 2 };
  it('computes the 52-week high on the adjusted basis, distance, eligibility and rank', () => {
    const scan = scanMomentum(panel, 4, opts);
    const by = Object.fromEntries(scan.rows.map((r) => [r.symbol, r]));
    expect(by.A.high52).toBe(11.5);
    expect(by.A.distance).toBeCloseTo(10.8 / 11.5, 14);
    expect(by.B.high52).toBe(10);
    expect(by.B.distance).toBeCloseTo(0.86, 14);
    expect(by.B.reason).toBe('below minDistance');
    expect(by.C.reason).toBe('insufficient history');
    expect(by.D.distance).toBeCloseTo(50.5 / 51, 14);
    expect(by.D.eligible).toBe(true);
    expect(by.E.reason).toBe('no bar');
    // D (0.990) first, then A and F tie at 0.939 -> A before F; topN 2 selects D and A.
    expect(scan.rows.filter((r) => r.eligible).map((r) => [r.symbol, r.rank])).toEqual([['D', 1], ['A', 2], ['F', 3]]);
    expect(scan.selected).toEqual(['D', 'A']);
    expect(by.F.selected).toBe(false);
  });

  it('applies the volume filter against the average of the bars before t', () => {
    const scan = scanMomentum(panel, 4, { ...opts, volumeFilter: true });
    const by = Object.fromEntries(scan.rows.map((r) => [r.symbol, r]));
    expect(by.A.volumeAvg).toBe(150);
    expect(by.A.passedVolume).toBe(true);
    expect(by.D.passedVolume).toBe(false);
    expect(by.D.reason).toBe('volume filter');
    expect(scan.selected).toEqual(['A', 'F']);
    // On t = 1 A has only one earlier bar.
    const early = scanMomentum(panel, 1, { lookback: 1, volumeWindow: 2, volumeFilter: true });
    expect(early.rows.find((r) => r.symbol === 'A')!.reason).toBe('insufficient volume history');
  });

  it('honours universe membership and uses no data after t', () => {
    const scan = scanMomentum(panel, 4, opts, (s) => s !== 'D');
    expect(scan.rows.map((r) => r.symbol)).not.toContain('D');
    expect(scan.selected).toEqual(['A', 'F']);
    // Changing the last day does not change a scan on the day before.
    const before = scanMomentum(panel, 3, opts);
    const edited = { ...panel, close: panel.close.slice(), high: panel.high.slice() };
    for (let s = 0; s < panel.symbols.length; s++) edited.high[s * 5 + 4] = 1e6;
    expect(scanMomentum(edited, 3, opts)).toEqual(before);
  });
});

describe('precomputed scanner', () => {
  it('equals the direct scan on the hand example', () => {
    const pre = precomputeMomentum(panel, 3);
    for (let t = 0; t < 5; t++) {
      for (const volumeFilter of [false, true]) {
        const o = { lookback: 3, volumeWindow: 2, topN: 2, volumeFilter };
        expectSameData(scanMomentumPrecomputed(pre, t, o), scanMomentum(panel, t, o));
      }
    }
  });

  it('equals the direct scan on random panels, dates and settings', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1e6 }),
          symbols: fc.integer({ min: 1, max: 12 }),
          sessions: fc.integer({ min: 5, max: 200 }),
          lookback: fc.integer({ min: 1, max: 60 }),
          volumeWindow: fc.integer({ min: 1, max: 25 }),
          topN: fc.integer({ min: 1, max: 6 }),
          minDistance: fc.constantFrom(0.5, 0.8, 0.9, 0.97),
          volumeFilter: fc.boolean(),
          volumeMultiplier: fc.constantFrom(0.7, 1.25),
          tFrac: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (s) => {
          const p = syntheticPanel({ symbols: s.symbols, sessions: s.sessions, seed: s.seed, gapProb: 0.05, lateListingProb: 0.3, delistProb: 0.3, splitProb: 0.01 });
          const pre = precomputeMomentum(p, s.lookback);
          const t = Math.floor(s.tFrac * (s.sessions - 1));
          const o = { lookback: s.lookback, volumeWindow: s.volumeWindow, topN: s.topN, minDistance: s.minDistance, volumeFilter: s.volumeFilter, volumeMultiplier: s.volumeMultiplier };
          const member = (sym: string) => sym !== 'S0001';
          const direct = scanMomentum(p, t, o, member);
          expectSameData(scanMomentumPrecomputed(pre, t, o, member), direct);
          const picks = selectTopPrecomputed(pre, t, p.symbols.map((_, i) => i), o, member);
          expect(picks.map((x) => p.symbols[x.s])).toEqual(direct.selected);
          expect(picks.map((x) => x.distance)).toEqual(direct.rows.filter((r) => r.selected).map((r) => r.distance));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('partial precomputation (decision dates only)', () => {
  it('equals the full precomputation on its dates and refuses other dates', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1e6 }),
          symbols: fc.integer({ min: 1, max: 10 }),
          sessions: fc.integer({ min: 5, max: 300 }),
          lookback: fc.integer({ min: 1, max: 80 }),
          picks: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
          volumeFilter: fc.boolean(),
        }),
        (s) => {
          const p = syntheticPanel({ symbols: s.symbols, sessions: s.sessions, seed: s.seed, gapProb: 0.05, lateListingProb: 0.3, delistProb: 0.3, splitProb: 0.01 });
          const dates = [...new Set(s.picks.map((f) => Math.floor(f * (s.sessions - 1))))];
          const full = precomputeMomentum(p, s.lookback);
          const part = precomputeMomentumAt(p, s.lookback, dates);
          const o = { lookback: s.lookback, volumeWindow: 3, minDistance: 0.8, volumeFilter: s.volumeFilter };
          for (const t of dates) expect(scanMomentumPrecomputed(part, t, o)).toEqual(scanMomentumPrecomputed(full, t, o));
          // With the caller's bar mask (the backtest's preparation) the highs are the same numbers.
          const mask = Uint8Array.from({ length: p.close.length }, (_, k) => (hasBar(p, k) ? 1 : 0));
          expect(precomputeMomentumAt(p, s.lookback, dates, undefined, mask).high52).toEqual(part.high52);
          const other = [...Array(s.sessions).keys()].find((t) => !dates.includes(t));
          if (other !== undefined) expect(() => scanMomentumPrecomputed(part, other, o)).toThrow(/does not cover/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves symbols outside the candidate list without a high', () => {
    const part = precomputeMomentumAt(panel, 3, [4], [0]);
    const rows = scanMomentumPrecomputed(part, 4, { lookback: 3, volumeWindow: 2 }).rows;
    expect(rows.find((r) => r.symbol === 'A')!.high52).toBe(11.5);
    expect(rows.find((r) => r.symbol === 'D')!.reason).toBe('insufficient history');
  });
});

describe.skipIf(!realDataDir())('scanner on real data', () => {
  it('scans the technology universe on 2020-12-31 with the default one-year window', () => {
    const tech = getUniverse('technology');
    const p = panelFromBars(tech.symbols.filter((s) => s !== 'BRK-B').map((symbol) => ({ symbol, bars: loadRealBars(symbol) })));
    const t = p.dates.indexOf('2020-12-31');
    const scan = scanMomentum(p, t, {}, tech.isMember);
    expect(scan.selected.length).toBeGreaterThan(0);
    expect(scan.selected.length).toBeLessThanOrEqual(10);
    for (const r of scan.rows.filter((x) => x.selected)) expect(r.distance).toBeGreaterThanOrEqual(0.9);
    // CRWD listed 2019-06-12: more than 252 sessions by the end of 2020, so it is scanned.
    expect(scan.rows.find((r) => r.symbol === 'CRWD')!.reason).not.toBe('insufficient history');
    // Brute-force check of AAPL's 52-week high.
    const aapl = loadRealBars('AAPL').filter((b) => b.date <= '2020-12-31').slice(-252);
    const hi = Math.max(...aapl.map((b) => b.high * (b.adjClose / b.close)));
    expect(scan.rows.find((r) => r.symbol === 'AAPL')!.high52).toBe(hi);
    expect(scanMomentumPrecomputed(precomputeMomentum(p), t, {}, tech.isMember)).toEqual(scan);
  });
});
