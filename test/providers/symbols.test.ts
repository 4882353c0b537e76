import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AtlasError } from '../../src/core/errors.js';
import {
  canonicalSymbol,
  fromAlpaca,
  fromYahoo,
  isCanonicalSymbol,
  toAlpaca,
  toTiingo,
  toYahoo,
} from '../../src/data/providers/symbols.js';

describe('canonicalSymbol', () => {
  it.each([
    ['aapl', 'AAPL'],
    ['  msft ', 'MSFT'],
    ['brk.b', 'BRK-B'],
    ['BRK/B', 'BRK-B'],
    ['BRK-B', 'BRK-B'],
    ['^VIX', 'VIX'],
    ['^vix', 'VIX'],
    ['^GSPC', 'SPX'],
    ['VIX', 'VIX'],
    ['SPY', 'SPY'],
  ])('%s -> %s', (input, out) => {
    expect(canonicalSymbol(input)).toBe(out);
  });

  it.each(['', '   ', 'AA PL', 'AAPL$', 'BRK--B', '-AAPL', 'AAPL-', 'ÄPPL', 'A;DROP', 'ABCDEFGHIJKLMNOP'])(
    'rejects %j with an AtlasError',
    (input) => {
      expect(() => canonicalSymbol(input)).toThrow(AtlasError);
      try {
        canonicalSymbol(input);
      } catch (e) {
        expect((e as AtlasError).code).toBe('INVALID_SYMBOL');
      }
    },
  );

  it('is idempotent on anything it accepts', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,5}([.\-/][A-Za-z0-9]{1,2})?$/), (s) => {
        const c = canonicalSymbol(s);
        expect(isCanonicalSymbol(c)).toBe(true);
        expect(canonicalSymbol(c)).toBe(c);
      }),
    );
  });
});

describe('provider spellings', () => {
  it('Tiingo: lowercase with dashes, VIX stays VIX', () => {
    expect(toTiingo('AAPL')).toBe('aapl');
    expect(toTiingo('BRK-B')).toBe('brk-b');
    expect(toTiingo('VIX')).toBe('VIX');
  });

  it('Yahoo: dashes kept, carets on indices', () => {
    expect(toYahoo('BRK-B')).toBe('BRK-B');
    expect(toYahoo('VIX')).toBe('^VIX');
    expect(toYahoo('SPX')).toBe('^GSPC');
    expect(toYahoo('SPY')).toBe('SPY');
    expect(fromYahoo('^VIX')).toBe('VIX');
    expect(fromYahoo('^GSPC')).toBe('SPX');
  });

  it('Alpaca: dots for share classes, and back', () => {
    expect(toAlpaca('BRK-B')).toBe('BRK.B');
    expect(toAlpaca('AAPL')).toBe('AAPL');
    expect(fromAlpaca('BRK.B')).toBe('BRK-B');
  });

  it('round-trips every canonical symbol through Alpaca and Yahoo', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z]{1,5}(-[A-Z])?$/), (s) => {
        expect(fromAlpaca(toAlpaca(s))).toBe(s);
        if (s !== 'GSPC') expect(fromYahoo(toYahoo(s))).toBe(s);
      }),
    );
  });
});
