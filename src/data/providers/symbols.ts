import { AtlasError } from '../../core/errors.js';

/**
 * Users type one canonical form: uppercase letters and digits, class shares with a dash
 * (BRK-B), indices without a caret (VIX). Each provider spells symbols its own way; these
 * functions are the only place that knows how.
 */

const CANONICAL = /^[A-Z0-9]+(-[A-Z0-9]+)*$/;

/** Canonical index name -> Yahoo symbol. */
const YAHOO_INDICES: Readonly<Record<string, string>> = {
  VIX: '^VIX',
  SPX: '^GSPC',
  GSPC: '^GSPC',
  NDX: '^NDX',
  DJI: '^DJI',
  RUT: '^RUT',
  VIX3M: '^VIX3M',
  VVIX: '^VVIX',
};

const YAHOO_INDICES_REVERSE: Readonly<Record<string, string>> = {
  '^VIX': 'VIX',
  '^GSPC': 'SPX',
  '^NDX': 'NDX',
  '^DJI': 'DJI',
  '^RUT': 'RUT',
  '^VIX3M': 'VIX3M',
  '^VVIX': 'VVIX',
};

/** Is `s` already in canonical form? */
export function isCanonicalSymbol(s: string): boolean {
  return s.length > 0 && s.length <= 15 && CANONICAL.test(s);
}

/**
 * Normalises what a user typed: trims, uppercases, turns '.' and '/' into '-', maps Yahoo's
 * caret indices ('^VIX', '^GSPC') to their canonical names. Anything else that is not letters,
 * digits and single inner dashes is rejected with an AtlasError (code INVALID_SYMBOL).
 */
export function canonicalSymbol(input: string): string {
  const raw = input.trim().toUpperCase();
  let s = raw;
  if (s.startsWith('^')) s = YAHOO_INDICES_REVERSE[s] ?? s.slice(1);
  s = s.replace(/[./]/g, '-');
  if (!isCanonicalSymbol(s)) {
    throw new AtlasError(
      `'${input.trim().slice(0, 20)}' is not a valid symbol; use letters and digits with a dash for share classes, e.g. AAPL, BRK-B or VIX.`,
      { code: 'INVALID_SYMBOL' },
    );
  }
  return s;
}

/** Tiingo spells tickers in lowercase with dashes for share classes: BRK-B -> brk-b. VIX stays VIX. */
export function toTiingo(symbol: string): string {
  const s = canonicalSymbol(symbol);
  if (s === 'VIX') return 'VIX';
  return s.toLowerCase();
}

/** Yahoo keeps dashes (BRK-B) and puts a caret on indices: VIX -> ^VIX, SPX -> ^GSPC. */
export function toYahoo(symbol: string): string {
  const s = canonicalSymbol(symbol);
  return YAHOO_INDICES[s] ?? s;
}

/** Alpaca uses a dot for share classes: BRK-B -> BRK.B. */
export function toAlpaca(symbol: string): string {
  return canonicalSymbol(symbol).replace(/-/g, '.');
}

/** Alpaca's symbol back to canonical: BRK.B -> BRK-B. */
export function fromAlpaca(symbol: string): string {
  return canonicalSymbol(symbol);
}

/** Yahoo's symbol back to canonical: ^VIX -> VIX, BRK-B -> BRK-B. */
export function fromYahoo(symbol: string): string {
  return canonicalSymbol(symbol);
}
