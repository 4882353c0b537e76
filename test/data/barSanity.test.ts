import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barProblem, OHLC_TOLERANCE_ABS, OHLC_TOLERANCE_REL } from '../../src/data/csv/barSanity.js';
import { parseBarsCsv } from '../../src/data/csv/barsCsv.js';
import type { DailyBar } from '../../src/data/bar.js';

const TODAY = '2024-06-14';
const bar = (over: Partial<DailyBar> = {}): DailyBar => ({ date: '2024-06-13', open: 100, high: 102, low: 99, close: 101, adjClose: 101, volume: 1000, ...over });

describe('barProblem', () => {
  it('accepts a sound bar, and one dated today', () => {
    expect(barProblem(bar(), TODAY)).toBeUndefined();
    expect(barProblem(bar({ date: TODAY }), TODAY)).toBeUndefined();
  });

  it('rejects a bar dated after today', () => {
    expect(barProblem(bar({ date: '2024-06-15' }), TODAY)).toMatch(/dated 2024-06-15, after today \(2024-06-14, New York\)/);
    expect(barProblem(bar({ date: '2099-01-02' }), TODAY)).toMatch(/after today/);
  });

  it('rejects every non-positive price, naming it', () => {
    expect(barProblem(bar({ close: 0 }), TODAY)).toMatch(/non-positive price \(close 0\)/);
    expect(barProblem(bar({ low: -1 }), TODAY)).toMatch(/low -1/);
    expect(barProblem(bar({ adjClose: 0 }), TODAY)).toMatch(/adjusted close 0/);
    expect(barProblem(bar({ open: Number.NaN }), TODAY)).toMatch(/open NaN/);
  });

  it('rejects high < low with no tolerance', () => {
    expect(barProblem(bar({ high: 98.999, low: 99, open: 99, close: 99 }), TODAY)).toMatch(/high 98.999 is below low 99/);
  });

  it('rejects open or close outside [low, high] beyond max(1 cent, 0.5%), and accepts rounding within it', () => {
    // 0.5% of 102 = 0.51: 102.5 is rounding, 102.52 is not
    expect(barProblem(bar({ open: 102.5 }), TODAY)).toBeUndefined();
    expect(barProblem(bar({ open: 102.52 }), TODAY)).toMatch(/open 102.52 is outside the day's range \[99, 102\]/);
    expect(barProblem(bar({ close: 99 - 0.49 }), TODAY)).toBeUndefined();
    expect(barProblem(bar({ close: 98.5 }), TODAY)).toMatch(/close 98.5 is outside/);
    // a penny stock: the one-cent floor applies
    const penny = bar({ open: 0.5, high: 0.52, low: 0.5, close: 0.51, adjClose: 0.51 });
    expect(barProblem({ ...penny, close: 0.53 }, TODAY)).toBeUndefined();
    expect(barProblem({ ...penny, close: 0.54 }, TODAY)).toMatch(/close 0.54 is outside/);
  });

  it('a bar with positive prices and open, close in [low, high] is never rejected (property)', () => {
    const price = fc.double({ min: 0.01, max: 1e5, noNaN: true });
    fc.assert(fc.property(price, price, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b, u, v) => {
      const low = Math.min(a, b);
      const high = Math.max(a, b);
      const open = low + (high - low) * u;
      const close = low + (high - low) * v;
      expect(barProblem({ date: TODAY, open, high, low, close, adjClose: close, volume: 0 }, TODAY)).toBeUndefined();
    }));
  });

  it('an open pushed beyond the high by more than the tolerance is always rejected (property)', () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 1.01, max: 10, noNaN: true }), (high, k) => {
      const beyond = Math.max(OHLC_TOLERANCE_ABS, high * OHLC_TOLERANCE_REL) * k;
      expect(barProblem(bar({ high, low: high / 2, open: high + beyond, close: high }), '2100-01-01')).toMatch(/open .* outside/);
    }));
  });
});

describe('parseBarsCsv with today', () => {
  const csv = [
    'Date,Open,High,Low,Close,Adj Close,Volume',
    '2024-06-10,100,102,99,101,101,10', // line 2 ok
    '2024-06-11,100,102,99,0,0,10', // line 3 zero close
    '2024-06-12,100,98,99,99,99,10', // line 4 high < low
    '2024-06-13,110,102,99,101,101,10', // line 5 open beyond high
    '2099-01-02,100,102,99,101,101,10', // line 6 future
    '2024-06-14,100,102,99,101,101,10', // line 7 ok (today)
    '2024-06-07,,,,,,', // line 8 blank prices
  ].join('\n');

  it('rejects the bad rows naming file and line, and keeps the rest', () => {
    const r = parseBarsCsv(csv, 'AAPL.csv', { today: TODAY });
    expect(r.kind).toBe('bars');
    if (r.kind !== 'bars') return;
    expect(r.bars.map((b) => b.date)).toEqual(['2024-06-10', '2024-06-14']);
    expect(r.rejected.map((x) => [x.line, x.date])).toEqual([[3, '2024-06-11'], [4, '2024-06-12'], [5, '2024-06-13'], [6, '2099-01-02'], [8, '2024-06-07']]);
    expect(r.rejected.every((x) => x.file === 'AAPL.csv')).toBe(true);
    expect(r.warnings).toHaveLength(5);
    expect(r.warnings[0]).toBe('AAPL.csv line 3: rejected the row for 2024-06-11: non-positive price (close 0, adjusted close 0).');
    expect(r.warnings[3]).toMatch(/^AAPL\.csv line 6: rejected the row for 2099-01-02: it is dated 2099-01-02, after today/);
  });

  it('without today only blank rows are left out (the check is the importer\'s choice)', () => {
    const r = parseBarsCsv(csv, 'AAPL.csv');
    expect(r.kind === 'bars' && r.bars).toHaveLength(6);
  });
});
