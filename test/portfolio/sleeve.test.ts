import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cashLikeSymbols, sleeveCountsAsCash, sleeveRemainder, sleeveSymbols, withSleeve, type Sleeve } from '../../src/portfolio/sleeve.js';
import { targetWeights } from '../../src/portfolio/targetWeights.js';

const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const sleeveArb: fc.Arbitrary<Sleeve> = fc.oneof(
  fc.constant<Sleeve>({ kind: 'cash' }),
  fc.constantFrom('BIL', 'SGOV', 'TLT').map((symbol): Sleeve => ({ kind: 'etf', symbol })),
  fc.uniqueArray(fc.constantFrom('XLP', 'XLU', 'KO', 'S1'), { minLength: 1, maxLength: 4 }).map((symbols): Sleeve => ({ kind: 'defensive', symbols })),
);

describe('remainder sleeve weights', () => {
  it('a BIL sleeve takes 1 - allocation plus the unfilled slots (hand-checked)', () => {
    // allocation 0.3, topN 4, two names found: stocks 2 x 0.075 = 0.15, BIL 0.85.
    const w = withSleeve(targetWeights(['AAA', 'BBB'], 0.3, 4), { kind: 'etf', symbol: 'BIL' }, 0.3, 4);
    expect(Object.fromEntries(w)).toEqual({ AAA: 0.075, BBB: 0.075, BIL: 0.85 });
    const d = withSleeve(targetWeights(['AAA'], 0.5, 1), { kind: 'defensive', symbols: ['XLP', 'XLU'] }, 0.5, 1);
    expect(Object.fromEntries(d)).toEqual({ AAA: 0.5, XLP: 0.25, XLU: 0.25 });
    // Cash: nothing added; a symbol without a price keeps its share in cash.
    expect(Object.fromEntries(withSleeve(targetWeights(['AAA'], 0.5, 1), { kind: 'cash' }, 0.5, 1))).toEqual({ AAA: 0.5 });
    expect(Object.fromEntries(withSleeve(new Map(), { kind: 'defensive', symbols: ['XLP', 'XLU'] }, 1, 2, (s) => s !== 'XLU'))).toEqual({ XLP: 1 });
  });

  it('property: weights sum to <= 1 (exactly 1 with a priced non-cash sleeve), none negative, the sleeve is the remainder', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('AAA', 'BBB', 'CCC', 'DDD', 'KO', 'XLP'), { maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        sleeveArb,
        (selected, allocation, topN, sleeve) => {
          const stocks = targetWeights(selected, allocation, topN);
          const all = withSleeve(stocks, sleeve, allocation, topN);
          for (const w of all.values()) expect(w).toBeGreaterThanOrEqual(0);
          expect(sum(all)).toBeLessThanOrEqual(1 + 1e-12);
          const remainder = sleeveRemainder(allocation, topN, stocks.size);
          expect(remainder).toBeGreaterThanOrEqual(0);
          expect(remainder).toBeCloseTo(1 - sum(stocks), 12);
          const symbols = sleeveSymbols(sleeve);
          let sleevePart = 0;
          for (const s of symbols) sleevePart += (all.get(s) ?? 0) - (stocks.get(s) ?? 0);
          expect(sleevePart).toBeCloseTo(symbols.length ? remainder : 0, 12);
          if (symbols.length) expect(sum(all)).toBeCloseTo(1, 12);
          for (const [s, w] of stocks) expect(all.get(s)! - w).toBeGreaterThanOrEqual(-1e-15);
        },
      ),
    );
  });

  it('gate 7 counts T-bill ETFs as cash, other ETFs and defensive lists as exposure unless configured', () => {
    expect(sleeveCountsAsCash({ kind: 'etf', symbol: 'BIL' })).toBe(true);
    expect(sleeveCountsAsCash({ kind: 'etf', symbol: 'SGOV' })).toBe(true);
    expect(sleeveCountsAsCash({ kind: 'etf', symbol: 'TLT' })).toBe(false);
    expect(sleeveCountsAsCash({ kind: 'etf', symbol: 'TLT', countsAsCash: true })).toBe(true);
    expect(sleeveCountsAsCash({ kind: 'etf', symbol: 'BIL', countsAsCash: false })).toBe(false);
    expect(cashLikeSymbols({ kind: 'defensive', symbols: ['XLP', 'XLU'] })).toEqual([]);
    expect(cashLikeSymbols({ kind: 'defensive', symbols: ['XLP', 'XLU'], countsAsCash: true })).toEqual(['XLP', 'XLU']);
    expect(cashLikeSymbols({ kind: 'cash' })).toEqual([]);
  });
});
