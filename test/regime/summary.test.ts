import { describe, expect, it } from 'vitest';
import { summariseRegimes } from '../../src/regime/summary.js';
import { explainDay } from '../../src/regime/explain.js';
import { computeRegimeHistory } from '../../src/regime/regimeHistory.js';
import type { Regime, RegimeHistory } from '../../src/regime/types.js';
import { syntheticMarket } from './synthetic.js';

const B: Regime = 'TREND_BEAR';
const C: Regime = 'CRASH';
const U: Regime = 'TREND_BULL';

function fakeHistory(dates: string[], regime: (Regime | null)[]): RegimeHistory {
  const base = computeRegimeHistory({ dates, spyClose: dates.map(() => 100), vixClose: dates.map(() => 20) });
  return { ...base, regime };
}

describe('summariseRegimes', () => {
  it('counts, shares, first CRASH, longest CRASH run and per-year counts by hand', () => {
    const dates = ['2019-12-30', '2019-12-31', '2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08', '2020-01-09'];
    const h = fakeHistory(dates, [null, C, U, C, C, B, C, C]);
    const s = summariseRegimes(h, '2019-12-31', '2020-01-08');
    // window: C, U, C, C, B, C  (2019-12-31 .. 2020-01-08)
    expect(s.days).toBe(6);
    expect(s.classifiedDays).toBe(6);
    expect(s.counts).toEqual({ TREND_BULL: 1, TREND_NEUTRAL: 0, TREND_BEAR: 1, CRASH: 4, none: 0 });
    expect(s.crashShare).toBeCloseTo(4 / 6, 12);
    expect(s.crashOrBearShare).toBeCloseTo(5 / 6, 12);
    expect(s.firstCrash).toBe('2019-12-31');
    expect(s.longestCrashRun).toEqual({ days: 2, start: '2020-01-03', end: '2020-01-06' });
    expect(s.byYear['2019']).toEqual({ TREND_BULL: 0, TREND_NEUTRAL: 0, TREND_BEAR: 0, CRASH: 1, none: 0 });
    expect(s.byYear['2020'].CRASH).toBe(3);
    const all = summariseRegimes(h, '0000-01-01', '9999-12-31');
    expect(all.counts.none).toBe(1);
    expect(all.longestCrashRun).toEqual({ days: 2, start: '2020-01-03', end: '2020-01-06' }); // first of equal runs
  });

  it('an empty window has NaN shares and no CRASH', () => {
    const h = fakeHistory(['2020-01-02'], [null]);
    const s = summariseRegimes(h, '2021-01-01', '2021-12-31');
    expect(s.days).toBe(0);
    expect(Number.isNaN(s.crashShare)).toBe(true);
    expect(s.firstCrash).toBeNull();
    expect(s.longestCrashRun).toBeNull();
  });
});

describe('explainDay', () => {
  const m = syntheticMarket();
  const h = computeRegimeHistory(m);
  it('explains a day before the first fit', () => {
    const e = explainDay(h, 10);
    expect(e.regime).toBeNull();
    expect(e.reason).toBe('insufficient history');
    expect(e.fit).toBeNull();
    expect(e.summary).toMatch(/insufficient history/);
  });

  it('explains a classified day consistently with the history', () => {
    for (let t = 1060; t < h.dates.length; t += 37) {
      const e = explainDay(h, t);
      expect(e.regime).toBe(h.regime[t]);
      expect(e.state).toBe(h.state[t]);
      expect(e.date).toBe(h.dates[t]);
      expect(e.vix.trigger).toBe(e.vix.change1d.passed || e.vix.change3d.passed);
      if (h.modelRegime[t] === 'CRASH') expect(e.rules.ddZ.passed && e.rules.s20ZCrash.passed && e.state === 'bear').toBe(true);
      // the chosen state is the one with the lower penalised cost
      const pen = h.params.onlinePenalty;
      const prev = h.state[t - 1];
      const cb = e.features.costBull! + (prev === 'bear' ? pen : 0);
      const cr = e.features.costBear! + (prev === 'bull' ? pen : 0);
      expect(e.state).toBe(cb < cr ? 'bull' : cr < cb ? 'bear' : prev);
    }
    expect(() => explainDay(h, h.dates.length)).toThrow(RangeError);
  });
});
