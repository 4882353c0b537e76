/**
 * @module Two-decimal amounts with thousands separators ("1,234.57"), exactly as
 * `Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })` writes
 * them, several times faster. The gates write a few dollar amounts into every reason, and a
 * backtest's JSON carries the reasons of every rebalance (thousands of amounts per run).
 *
 * Intl rounds the shortest decimal that reads back as the double (the digits `String(x)` prints),
 * half away from zero: 1.005 is "1.01" although the double is just below 1.005 (so `toFixed(2)`
 * gives "1.00"). The fast path rounds those same digits as text; numbers `String` writes with an
 * exponent (below 1e-6, or 1e21 and up) and anything not finite go to Intl itself.
 */

const INTL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

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

/** `x` to two decimals with thousands separators, as Intl en-US writes it ("-1,234.50"). */
export function twoDecimals(x: number): string {
  const s = String(x < 0 ? -x : x);
  if (!Number.isFinite(x) || s.includes('e')) return INTL.format(x);
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
