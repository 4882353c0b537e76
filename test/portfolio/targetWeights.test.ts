import { describe, expect, it } from 'vitest';
import { allocationForDay, targetWeights } from '../../src/portfolio/targetWeights.js';
import { DEFAULT_ALLOCATION } from '../../src/portfolio/allocation.js';

describe('targetWeights', () => {
  it('gives allocation / topN to each name and leaves unused slots in cash', () => {
    const w = targetWeights(['A', 'B', 'C'], 0.7, 10);
    expect([...w.keys()]).toEqual(['A', 'B', 'C']);
    for (const v of w.values()) expect(v).toBeCloseTo(0.07, 15);
    expect([...targetWeights(['A', 'B', 'C'], 1, 2)]).toEqual([['A', 0.5], ['B', 0.5]]);
    expect(targetWeights([], 1, 10).size).toBe(0);
    expect([...targetWeights(['A', 'A'], 1, 4)]).toEqual([['A', 0.25]]);
  });
  it('rejects a bad topN or allocation', () => {
    expect(() => targetWeights(['A'], 1, 0)).toThrow(/topN/);
    expect(() => targetWeights(['A'], 1.5, 1)).toThrow(/allocation/);
  });
});

describe('allocationForDay', () => {
  it('is 1.0 with the regime layer off, the matrix value otherwise, 1.0 (flagged) without a regime', () => {
    expect(allocationForDay('CRASH', 'off')).toEqual({ allocation: 1, regimeKnown: true });
    expect(allocationForDay('TREND_BEAR', 'rebalance')).toEqual({ allocation: 0.3, regimeKnown: true });
    expect(allocationForDay('TREND_NEUTRAL', 'daily', DEFAULT_ALLOCATION)).toEqual({ allocation: 0.7, regimeKnown: true });
    expect(allocationForDay(null, 'daily')).toEqual({ allocation: 1, regimeKnown: false });
  });
});
