import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixed2, twoDecimals } from '../../src/core/dollars.js';
import { money, pct } from '../../src/execution/gates/common.js';
import { json } from '../../src/cli/output.js';

const INTL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

describe('twoDecimals (the gates\' dollar amounts)', () => {
  it('writes what Intl en-US writes, halfway cases and tiny, huge and signed values included', () => {
    const cases = [0, -0, 1.005, 2.675, 0.125, 0.005, 0.015, 0.995, 9.995, 999.995, 999999.995, 1e14 + 0.5, 123456789.125, 5e-324, 1e-7, 0.0000049, 1e15, 1e20, 1e21, -0.001, -0.005, -1.005, 1234567.891, NaN, Infinity, -Infinity];
    for (const x of cases) expect(twoDecimals(x), String(x)).toBe(INTL.format(x));
  });

  it('agrees with Intl on any double (property)', () => {
    fc.assert(fc.property(fc.double(), (x) => twoDecimals(x) === INTL.format(x)), { numRuns: 20_000 });
    // Amounts with a few decimals, where halfway cases live.
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 4 }), (n, k) => twoDecimals(n / 10 ** k) === INTL.format(n / 10 ** k)), { numRuns: 20_000 });
  });

  it('money() is "$" and a minus sign around it', () => {
    expect(money(1234.5)).toBe('$1,234.50');
    expect(money(-5)).toBe('-$5.00');
    expect(money(NaN)).toBe('NaN');
  });
});

describe('fixed2 (the gates\' percentages)', () => {
  it('writes what toFixed(2) writes (property)', () => {
    for (const y of [0, -0, 0.125, 1.005, -1.005, 0.005, -0.001, 99.995, 1e9, 1e21, -1e-9, NaN, Infinity]) expect(fixed2(y), String(y)).toBe(y.toFixed(2));
    fc.assert(fc.property(fc.double(), (y) => fixed2(y) === y.toFixed(2)), { numRuns: 20_000 });
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 5 }), (n, k) => fixed2(n / 10 ** k) === (n / 10 ** k).toFixed(2)), { numRuns: 20_000 });
    expect(pct(0.15)).toBe('15.00%');
  });
});

describe('json()', () => {
  it('prints non-finite numbers as null, in objects and arrays', () => {
    expect(json({ a: NaN, b: [Infinity, -Infinity, 1.5], c: 'x' })).toBe('{\n  "a": null,\n  "b": [\n    null,\n    null,\n    1.5\n  ],\n  "c": "x"\n}');
  });
});
