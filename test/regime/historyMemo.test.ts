import { describe, expect, it } from 'vitest';
import { clearHistoryMemo, memoModelHistory, readModelHistory } from '../../src/regime/historyMemo.js';
import { computeModelHistory } from '../../src/regime/models/registry.js';
import { syntheticMarket } from './synthetic.js';
import { expectSameData } from '../support/sameData.js';

const market = syntheticMarket(1400, 5, 1200, 20);

describe('in-process memo of regime histories', () => {
  it('gives the computed history, computes each distinct input once, and hands every caller its own copy', () => {
    clearHistoryMemo();
    const want = computeModelHistory('seed', market);
    const a = memoModelHistory('seed', market);
    expectSameData(a, want);
    let calls = 0;
    const b = readModelHistory('seed', market, undefined, (h) => {
      calls++;
      return h;
    });
    const c = memoModelHistory('seed', market);
    expect(calls).toBe(1);
    // Computed once: a second read sees the very same stored history.
    expect(readModelHistory('seed', market, undefined, (h) => h)).toBe(b);
    // The memo's own history is the one `a` was cloned from, not `a`: editing a copy changes nothing else.
    expect(b).not.toBe(a);
    a.regime.fill('CRASH');
    a.excessReturn.fill(7);
    expectSameData(c, want);
    expectSameData(memoModelHistory('seed', market), want);
  });

  it('misses on other parameters, another model or other data', () => {
    clearHistoryMemo();
    const base = memoModelHistory('sma200', market);
    expectSameData(memoModelHistory('sma200', market, { smaLength: 150 }), computeModelHistory('sma200', market, { smaLength: 150 }));
    expect(memoModelHistory('sma10m', market).model).toBe('sma10m');
    const moved = { ...market, spyClose: Float64Array.from(market.spyClose, (x, i) => (i === 1000 ? x * 0.5 : x)) };
    expectSameData(memoModelHistory('sma200', moved), computeModelHistory('sma200', moved));
    expect(memoModelHistory('sma200', moved)).not.toEqual(base);
  });
});
