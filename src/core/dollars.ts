/**
 * @module Two-decimal amounts with thousands separators ("1,234.57"), exactly as
 * `Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })` writes
 * them, several times faster. The gates write a few dollar amounts into every reason, and a
 * backtest's JSON carries the reasons of every rebalance (thousands of amounts per run).
 *
 * Intl rounds the shortest decimal that reads back as the double (the digits `String(x)` prints),
 * half away from zero: 1.005 is "1.01" although the double is just below 1.005 (so `toFixed(2)`
 * gives "1.00"). Most amounts are rounded in floating point, which gives the same cents unless the
 * amount is within a hair of a half cent; those round the same digits as text; numbers `String`
 * writes with an exponent (below 1e-6, or 1e21 and up) and anything not finite go to Intl itself.
 */

// Made on first use: building an Intl formatter loads ICU's locale data (about 16 ms of a command's
// start), and only amounts String() writes with an exponent, or not finite, ever reach it.
let intl: Intl.NumberFormat | undefined;
function intlFormat(x: number): string {
  intl ??= new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return intl.format(x);
}

/** The decimal digits of `digits` (no sign, no dot) plus one in the last place. */
function plusOne(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i--; // '9'
  if (i < 0) return '1' + '0'.repeat(digits.length);
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - 1 - i);
}

function grouped(int: string): string {
  if (int.length <= 3) return int;
  let i = int.length % 3 || 3;
  let out = int.slice(0, i);
  for (; i < int.length; i += 3) out += ',' + int.slice(i, i + 3);
  return out;
}

/** Whole cents as "1,234.50" (cents < 2^53). */
function fromCents(cents: number): string {
  const int = Math.floor(cents / 100);
  const rem = cents - int * 100;
  return `${grouped(String(int))}.${rem < 10 ? '0' : ''}${rem}`;
}

/**
 * The cents `a` (>= 0) rounds to, computed in floating point, or -1 when that might differ from
 * rounding its shortest decimal: a x 100 is within about 2e-16 of the exact product, so below a
 * billion dollars only a product within 1e-4 of a half cent can round the other way.
 */
function safeCents(a: number): number {
  if (!(a < 1e9)) return -1;
  const c = a * 100;
  const whole = Math.floor(c);
  const frac = c - whole;
  if (frac > 0.4999 && frac < 0.5001) return -1;
  return frac > 0.5 ? whole + 1 : whole;
}

/** `x` to two decimals with thousands separators, as Intl en-US writes it ("-1,234.50"). */
export function twoDecimals(x: number): string {
  const a = x < 0 ? -x : x;
  const cents = safeCents(a);
  if (cents >= 0) return `${x < 0 || Object.is(x, -0) ? '-' : ''}${fromCents(cents)}`;
  const s = String(a);
  if (!Number.isFinite(x) || s.includes('e')) return intlFormat(x);
  const dot = s.indexOf('.');
  let int = dot < 0 ? s : s.slice(0, dot);
  let frac = dot < 0 ? '00' : s.slice(dot + 1);
  if (frac.length > 2) {
    const up = frac.charCodeAt(2) >= 53; // '5': the digits after it only make it larger
    frac = frac.slice(0, 2);
    if (up) {
      const cents = plusOne(int + frac);
      int = cents.slice(0, -2);
      frac = cents.slice(-2);
    }
  } else if (frac.length === 1) {
    frac += '0';
  }
  // Intl keeps the minus of a negative amount that rounds to zero, and of -0.
  return `${x < 0 || Object.is(x, -0) ? '-' : ''}${grouped(int)}.${frac}`;
}

/**
 * `y.toFixed(2)` (no separators), faster for the same reason. toFixed rounds the exact binary
 * value half up, so the floating-point product decides unless it is within a hair of a half.
 */
export function fixed2(y: number): string {
  const a = y < 0 ? -y : y;
  if (!(a < 1e9)) return y.toFixed(2);
  const c = a * 100;
  const whole = Math.floor(c);
  const frac = c - whole;
  if (frac > 0.4999 && frac < 0.5001) return y.toFixed(2);
  const cents = frac > 0.5 ? whole + 1 : whole;
  const int = Math.floor(cents / 100);
  const rem = cents - int * 100;
  return `${y < 0 ? '-' : ''}${int}.${rem < 10 ? '0' : ''}${rem}`;
}
