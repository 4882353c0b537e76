import { describe, expect, it } from 'vitest';
import { alignVix, vixSignals } from '../../src/regime/vixLayer.js';

describe('alignVix', () => {
  it('drops VIX rows on non-SPY dates and forward-fills SPY dates without a VIX row', () => {
    const spy = ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'];
    const vix = [
      { date: '2019-12-31', close: 13 },
      { date: '2020-01-02', close: 12 },
      { date: '2020-01-04', close: 99 }, // a Saturday: not a session, dropped (not used for the fill)
      { date: '2020-01-06', close: 14 },
    ];
    const a = alignVix(spy, vix);
    expect(Array.from(a.vix)).toEqual([12, 12, 14, 14]);
    expect(a.filled).toEqual(['2020-01-03', '2020-01-07']);
    expect(a.dropped).toEqual(['2020-01-04']);
    expect(a.missing).toEqual([]);
  });

  it('leaves SPY dates before the first VIX row as NaN', () => {
    const a = alignVix(['2020-01-02', '2020-01-03'], [{ date: '2020-01-03', close: 20 }]);
    expect(Number.isNaN(a.vix[0])).toBe(true);
    expect(a.missing).toEqual(['2020-01-02']);
  });
});

describe('vixSignals', () => {
  it('1-session > 20% or 3-session > 50% (strict), optional level floor', () => {
    // day1: 10 -> 12 is +20% exactly: no trigger; day2: 12 -> 14.5 = +20.8%: trigger
    // day3: 14.5 -> 15: 1d +3.4%, 3d 15/10 - 1 = +50% exactly: no trigger
    // day4: 15 -> 18.2: 1d +21.3% trigger; 3d 18.2/12 - 1 = +51.7% trigger
    // day5: NaN -> no trigger; day6: 1d NaN, but 3d 30/15 - 1 = +100% -> trigger
    const v = [10, 12, 14.5, 15, 18.2, NaN, 30];
    const s = vixSignals(v, 0.2, 0.5, null);
    expect(s.change1d[1]).toBeCloseTo(0.2, 12);
    expect(s.trigger).toEqual([false, false, true, false, true, false, true]);
    expect(Number.isNaN(s.change1d[6])).toBe(true);
    expect(s.change3d[4]).toBeCloseTo(18.2 / 12 - 1, 12);
    // floor 15: day2 (14.5) is suppressed, days 4 (18.2) and 6 (30) stay
    expect(vixSignals(v, 0.2, 0.5, 15).trigger).toEqual([false, false, false, false, true, false, true]);
  });
});
