import { describe, expect, it } from 'vitest';
import { ewm, ewmAlpha } from '../../src/regime/ewm.js';
import { computeFeatures, dailyRiskFree, excessReturns } from '../../src/regime/features.js';
import { classifyDay, expandingZ } from '../../src/regime/classify.js';

describe('ewm', () => {
  it('halflife 1: alpha = 0.5, seeded with x0, first value undefined', () => {
    // alpha = 1 - 0.5^(1/1) = 0.5
    // m0 = 2; m1 = .5*4 + .5*2 = 3; m2 = .5*0 + .5*3 = 1.5; m3 = .5*8 + .5*1.5 = 4.75
    expect(ewmAlpha(1)).toBe(0.5);
    expect(Array.from(ewm([2, 4, 0, 8], 1))).toEqual([NaN, 3, 1.5, 4.75]);
  });

  it('halflife 2: an impulse halves after 2 steps; first 2 values undefined', () => {
    // alpha = 1 - sqrt(0.5) = 0.29289..; m_j = (1-alpha)^j = 0.5^(j/2) for x = [1, 0, 0, 0, 0]
    // m2 = 0.5, m3 = 0.5^1.5 = 0.35355339.., m4 = 0.25
    const m = ewm([1, 0, 0, 0, 0], 2);
    expect(Number.isNaN(m[0]) && Number.isNaN(m[1])).toBe(true);
    expect(m[2]).toBeCloseTo(0.5, 14);
    expect(m[3]).toBeCloseTo(0.3535533905932738, 14);
    expect(m[4]).toBeCloseTo(0.25, 14);
  });

  it('explicit warm-up 0 exposes the seed', () => {
    expect(Array.from(ewm([5, 1], 1, 0))).toEqual([5, 3]);
  });
});

describe('features', () => {
  it('daily risk-free and excess return', () => {
    // 1.03^(1/252) - 1 = 0.000117303713834..
    expect(dailyRiskFree(0.03, 252)).toBeCloseTo(0.00011730371383444904, 15);
    const r = excessReturns([100, 101, 99.99], 0.03, 252);
    expect(Number.isNaN(r[0])).toBe(true);
    expect(r[1]).toBeCloseTo(0.01 - 0.00011730371383444904, 14);
    expect(r[2]).toBeCloseTo(-0.01 - 0.00011730371383444904, 14);
  });

  it('DD, S20, S60 on a hand-computed 5-day series (rf 0, halflives 1, 1, 2)', () => {
    // close 100, 110, 99, 99, 108.9 -> returns (days 1..4) 0.1, -0.1, 0, 0.1; min(r,0)^2 = 0, .01, 0, 0
    // h=1 (alpha .5): EWM(down2) = 0, .005, .0025, .00125; EWM(r) = .1, 0, 0, .05
    //   DD: day1 NaN (first return), day2 sqrt(.005)=.0707107, day3 .05, day4 sqrt(.00125)=.0353553
    //   S (h=1): day2 0/.0707 = 0, day3 0, day4 .05/.0353553 = sqrt(2)
    // h=2 (a = .2928932, b = .7071068): EWM(r) = .1, .1(b-a) = .0414214, b*.0414214 = .0292893, a*.1 + b*.0292893 = .05
    //   EWM(down2) = 0, .01a = .00292893, b*.00292893 = .00207107, b*.00207107 = .00146447
    //   S60: days 1,2 NaN; day3 .0292893/sqrt(.00207107) = .6435943; day4 .05/sqrt(.00146447) = 1.3065630
    const f = computeFeatures([100, 110, 99, 99, 108.9], { rfAnnual: 0, tradingDaysPerYear: 252, ddHalflife: 1, s20Halflife: 1, s60Halflife: 2 });
    expect(Number.isNaN(f.dd[0]) && Number.isNaN(f.dd[1])).toBe(true);
    expect(f.dd[2]).toBeCloseTo(0.0707106781, 9);
    expect(f.dd[3]).toBeCloseTo(0.05, 12);
    expect(f.dd[4]).toBeCloseTo(0.0353553391, 9);
    expect(Number.isNaN(f.s20[1])).toBe(true);
    expect(f.s20[2]).toBeCloseTo(0, 12);
    expect(f.s20[3]).toBeCloseTo(0, 12);
    expect(f.s20[4]).toBeCloseTo(Math.SQRT2, 9);
    expect(Number.isNaN(f.s60[1]) && Number.isNaN(f.s60[2])).toBe(true);
    expect(f.s60[3]).toBeCloseTo(0.6435942529, 9);
    expect(f.s60[4]).toBeCloseTo(1.3065629649, 9);
  });

  it('default warm-up: DD first defined on day 11, S20 on day 21, S60 on day 61', () => {
    const close = Array.from({ length: 80 }, (_, t) => 100 * (1 + 0.01 * Math.sin(t)));
    const f = computeFeatures(close, { rfAnnual: 0.03, tradingDaysPerYear: 252, ddHalflife: 10, s20Halflife: 20, s60Halflife: 60 });
    const firstDefined = (a: Float64Array) => a.findIndex((v) => Number.isFinite(v));
    expect(firstDefined(f.dd)).toBe(11);
    expect(firstDefined(f.s20)).toBe(21);
    expect(firstDefined(f.s60)).toBe(61);
  });

  it('a Sortino ratio with zero downside is undefined, not infinite', () => {
    const close = Array.from({ length: 10 }, (_, t) => 100 * 1.01 ** t);
    const f = computeFeatures(close, { rfAnnual: 0, tradingDaysPerYear: 252, ddHalflife: 1, s20Halflife: 1, s60Halflife: 1 });
    expect(f.dd[5]).toBe(0);
    expect(Number.isNaN(f.s20[5])).toBe(true);
  });

  it('rejects a non-positive close', () => {
    expect(() => computeFeatures([100, 0, 100], { rfAnnual: 0, tradingDaysPerYear: 252, ddHalflife: 1, s20Halflife: 1, s60Halflife: 1 })).toThrow(/close\[1\]/);
  });
});

describe('expanding z-score and regime rules', () => {
  it('expandingZ by hand: uses data up to t, sample std, min observations', () => {
    // t=1: mean 1.5, sd sqrt(.5) -> z = .5/.7071 = .7071; t=2: mean 2, sd 1 -> z = 1; t=3: NaN input
    // t=4: values 1,2,3,6: mean 3, sd sqrt((4+1+0+9)/3) = 2.1602 -> z = 3/2.1602 = 1.3887
    const z = expandingZ([1, 2, 3, NaN, 6], 2);
    expect(Number.isNaN(z[0])).toBe(true);
    expect(z[1]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(z[2]).toBeCloseTo(1, 12);
    expect(Number.isNaN(z[3])).toBe(true);
    expect(z[4]).toBeCloseTo(3 / Math.sqrt(14 / 3), 12);
  });

  it('classifyDay thresholds are strict', () => {
    const th = { crashDdZ: 2.5, crashS20Z: -0.9, bullS20Z: 0 };
    expect(classifyDay('bear', 2.51, -0.91, th)).toBe('CRASH');
    expect(classifyDay('bear', 2.5, -0.91, th)).toBe('TREND_BEAR');
    expect(classifyDay('bear', 3, -0.9, th)).toBe('TREND_BEAR');
    expect(classifyDay('bear', NaN, NaN, th)).toBe('TREND_BEAR');
    expect(classifyDay('bull', 9, -5, th)).toBe('TREND_NEUTRAL');
    expect(classifyDay('bull', 0, 0, th)).toBe('TREND_NEUTRAL');
    expect(classifyDay('bull', 0, 0.01, th)).toBe('TREND_BULL');
  });
});
