import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkBars, splitLikeRatio, SPLIT_RATIOS } from '../../src/data/quality.js';
import { sessionsBetween } from '../../src/calendar/nyse.js';
import type { DailyBar } from '../../src/data/bar.js';

/** Bars on NYSE sessions with the given adjusted closes (raw = adjusted: an unadjusted import). */
function bars(closes: number[]): DailyBar[] {
  const dates = sessionsBetween('2014-06-02', '2014-12-31').slice(0, closes.length);
  return closes.map((c, i) => ({ date: dates[i], open: c, high: c, low: c, close: c, adjClose: c, volume: 1000 }));
}

describe('data check: split-like jumps by ratio', () => {
  it("flags a 2:1 split's -49.6% that the 50% threshold misses", () => {
    const r = checkBars('AAPL', bars([100, 101, 50.9, 51]), { asOf: '2014-06-05' });
    expect(r.splitLike).toBe(1);
    expect(r.largeMoves).toBe(0);
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([{ kind: 'split_like', date: '2014-06-04', detail: expect.stringMatching(/-49\.6% .* 2:1 split: possible unadjusted split/) }]);
  });

  it('names the ratio: 3:2, 3:1, 4:1, 7:1 forward and 1:2, 1:10 reverse', () => {
    const label = (ratio: number) => splitLikeRatio(ratio)?.label;
    expect(label(1 / 1.5)).toBe('3:2');
    expect(label(0.335)).toBe('3:1');
    expect(label(0.25 * 1.01)).toBe('4:1');
    expect(label(1 / 7)).toBe('7:1');
    expect(label(2.02)).toBe('1:2');
    expect(label(10)).toBe('1:10');
    const r = checkBars('X', bars([10, 10, 100, 100]), { asOf: '2014-06-05' });
    expect(r.issues[0].detail).toMatch(/1:10 reverse split/);
  });

  it('ordinary moves are not split-like, whatever their size', () => {
    for (const ratio of [1.01, 0.95, 0.8, 1.25, 0.6, 1.8, 0.45, 0.29]) expect(splitLikeRatio(ratio)).toBeNull();
    const r = checkBars('X', bars([10, 10.5, 10.2, 9.8, 10.1]), { asOf: '2014-06-06' });
    expect(r.ok).toBe(true);
  });

  it('property: every listed split with a daily move within 1.5% is recognised as itself', () => {
    fc.assert(fc.property(fc.constantFrom(...SPLIT_RATIOS), fc.double({ min: -0.015, max: 0.015, noNaN: true }), (sp, move) => {
      expect(splitLikeRatio((1 / sp.factor) * (1 + move))?.label).toBe(sp.label);
    }));
  });

  it('a big non-split move still counts as a large move', () => {
    const r = checkBars('X', bars([10, 10, 3, 3]), { asOf: '2014-06-05' });
    expect(r).toMatchObject({ largeMoves: 1, splitLike: 0, ok: false });
    expect(r.issues[0].kind).toBe('large_move');
  });

  it('warns about a symbol marked as imported without adjusted prices', () => {
    const r = checkBars('X', bars([10, 10.1, 10.2]), { asOf: '2014-06-04', unadjusted: true });
    expect(r).toMatchObject({ unadjusted: true, ok: false });
    expect(r.issues[0]).toMatchObject({ kind: 'unadjusted', detail: expect.stringMatching(/without adjusted prices/) });
    expect(checkBars('X', bars([10, 10.1, 10.2]), { asOf: '2014-06-04' }).unadjusted).toBe(false);
  });
});
