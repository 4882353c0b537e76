import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Panel } from '../../src/data/panel.js';
import { gridPoints, type SweepFixed } from '../../src/backtest/sweep.js';
import { syntheticPanel, syntheticRegimes } from '../../src/backtest/synthetic.js';
import { addMonths, parseDuration, walkForward, walkForwardWindows } from '../../src/backtest/walkforward.js';
import { offsetCount, pboBlocks } from '../../src/backtest/overfitting.js';

const start = '2010-01-04';
const panel = syntheticPanel({ symbols: 10, sessions: 650, seed: 9, drift: 0.001, lateListingProb: 0.2, delistProb: 0.1, startDate: start });
const regimes = syntheticRegimes(panel.dates, 10, 20, 0.9);
const points = gridPoints({ topN: [2, 4], minDistance: [0.8, 0.95], rebalance: ['monthly'], regimeMode: ['off', 'daily'] });
const fixed: SweepFixed = { lookback: 40 };

describe('walk-forward windows on a hand-checked calendar', () => {
  // The synthetic panel has every weekday from Monday 2010-01-04 to Friday 2012-06-29 (650 sessions).
  it('rolling: 12-month training before each 6-month test window', () => {
    expect(panel.dates[panel.dates.length - 1]).toBe('2012-06-29');
    expect(walkForwardWindows(panel.dates, { trainMonths: 12, testMonths: 6, anchored: false })).toEqual([
      { index: 0, trainFrom: '2010-01-04', trainTo: '2011-01-03', testFrom: '2011-01-04', testTo: '2011-07-01' },
      // 2010-07-04 is a Sunday: the window starts the next session.
      { index: 1, trainFrom: '2010-07-05', trainTo: '2011-07-01', testFrom: '2011-07-04', testTo: '2012-01-03' },
      // The last test window is cut by the end of the data.
      { index: 2, trainFrom: '2011-01-04', trainTo: '2012-01-03', testFrom: '2012-01-04', testTo: '2012-06-29' },
    ]);
  });

  it('anchored: every training window starts at the first session', () => {
    const w = walkForwardWindows(panel.dates, { trainMonths: 12, testMonths: 6, anchored: true });
    expect(w.map((x) => [x.trainFrom, x.trainTo, x.testFrom])).toEqual([
      ['2010-01-04', '2011-01-03', '2011-01-04'],
      ['2010-01-04', '2011-07-01', '2011-07-04'],
      ['2010-01-04', '2012-01-03', '2012-01-04'],
    ]);
    expect(walkForwardWindows(panel.dates, { trainMonths: 12, testMonths: 6, anchored: true, maxWindows: 2 })).toHaveLength(2);
    expect(walkForwardWindows(panel.dates, { trainMonths: 12, testMonths: 6, anchored: false, to: '2011-12-30' }).map((x) => x.testTo)).toEqual(['2011-07-01', '2011-12-30']);
    expect(walkForwardWindows(panel.dates, { trainMonths: 36, testMonths: 6, anchored: false })).toEqual([]);
  });

  it('durations and month arithmetic', () => {
    expect(parseDuration('5y', '--train')).toBe(60);
    expect(parseDuration('18m', '--test')).toBe(18);
    expect(() => parseDuration('5 years', '--train')).toThrow(/--train must be a whole number of years or months/);
    expect(addMonths('2020-01-31', 1)).toBe('2020-02-29');
    expect(addMonths('2019-11-15', 3)).toBe('2020-02-15');
    expect(addMonths('2020-03-31', -1)).toBe('2020-02-29');
  });
});

/** The panel with every cell from date index `cut` on replaced by another market's. */
function rewriteFrom(p: Panel, cut: number, seed: number): Panel {
  const other = syntheticPanel({ symbols: p.symbols.length, sessions: p.dates.length, seed, drift: -0.002, startDate: start });
  const n = p.dates.length;
  const mix = (a: Float64Array, b: Float64Array) => {
    const out = a.slice();
    for (let s = 0; s < p.symbols.length; s++) for (let d = cut; d < n; d++) out[s * n + d] = b[s * n + d];
    return out;
  };
  return { ...p, open: mix(p.open, other.open), high: mix(p.high, other.high), low: mix(p.low, other.low), close: mix(p.close, other.close), adjClose: mix(p.adjClose, other.adjClose), volume: mix(p.volume, other.volume) };
}

describe('walk-forward: no look-ahead', () => {
  it('the choice for window k and every earlier window does not change when the data from its test start on does', async () => {
    const opts = { trainMonths: 9, testMonths: 4, anchored: false, objective: 'sharpe' as const, timingLuck: false, statistics: false };
    const full = await walkForward(panel, regimes, points, fixed, opts, { workers: 0 });
    expect(full.windows.length).toBeGreaterThan(3);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: full.windows.length - 1 }), fc.integer({ min: 1, max: 1e6 }), fc.boolean(), async (k, seed, anchored) => {
        const base = anchored ? await walkForward(panel, regimes, points, fixed, { ...opts, anchored }, { workers: 0 }) : full;
        const cut = panel.dates.indexOf(base.windows[k].testFrom);
        const other = await walkForward(rewriteFrom(panel, cut, seed), regimes, points, fixed, { ...opts, anchored }, { workers: 0 });
        for (let j = 0; j <= k; j++) {
          expect(other.windows[j].chosen).toBe(base.windows[j].chosen);
          expect(other.windows[j].inSample).toBe(base.windows[j].inSample);
        }
      }),
      { numRuns: 6, seed: 31337 },
    );
  }, 120_000);
});

describe('walk-forward report', () => {
  it('stitches the test windows and reports degradation, stability, DSR, PBO and timing luck', async () => {
    const r = await walkForward(panel, regimes, points, fixed, { trainMonths: 12, testMonths: 6, anchored: false, objective: 'calmar' }, { workers: 0 });
    expect(r.windows).toHaveLength(3);
    for (const w of r.windows) {
      expect(w.point).toEqual(points[w.chosen]);
      expect(w.outOfSampleRank).toBeGreaterThanOrEqual(1);
      expect(w.outOfSampleRank).toBeLessThanOrEqual(points.length);
    }
    // One point per session of the test windows, starting at 1.
    expect(r.stitched.dates[0]).toBe('2011-01-04');
    expect(r.stitched.dates[r.stitched.dates.length - 1]).toBe('2012-06-29');
    expect(new Set(r.stitched.dates).size).toBe(r.stitched.dates.length);
    expect(r.stitched.equity[0]).toBe(1);
    expect(r.stability.changes).toBe(r.windows.filter((w, k) => k > 0 && w.chosen !== r.windows[k - 1].chosen).length);
    expect(r.stability.modalShare).toBeGreaterThanOrEqual(1 / 3);
    expect(r.overfitting.deflatedSharpe).toMatchObject({ trials: points.length });
    expect(r.overfitting.deflatedSharpe!.dsr).toBeGreaterThanOrEqual(0);
    expect(r.overfitting.deflatedSharpe!.dsr).toBeLessThanOrEqual(1);
    expect(r.overfitting.pbo!.pbo).toBeGreaterThanOrEqual(0);
    expect(r.overfitting.pbo!.pbo).toBeLessThanOrEqual(1);
    expect(r.outOfSampleDeflatedSharpe?.trials).toBe(points.length);
    // Monthly: one run per session of the shortest complete month in the span.
    expect(r.timingLuck!.offsets.map((o) => o.offset)).toEqual(Array.from({ length: offsetCount(panel.dates, '2010-01-04', '2012-06-29', 'monthly') }, (_, i) => i));
    expect(r.timingLuck!.cagr.max).toBeGreaterThanOrEqual(r.timingLuck!.cagr.min);
  }, 60_000);

  it('CSCV blocks: 16 up to a 1,008-configuration sweep (the cost no longer grows with sessions), fewer for far larger grids', () => {
    expect(pboBlocks(4, 600)).toBe(16);
    expect(pboBlocks(8, 1760)).toBe(16);
    expect(pboBlocks(1008, 5800)).toBe(16);
    expect(pboBlocks(20_000, 5800)).toBe(12);
    expect(pboBlocks(1008, 30)).toBe(14);
    expect(pboBlocks(2, 10)).toBe(4);
    expect(pboBlocks(2, 7)).toBe(0);
  });
});
