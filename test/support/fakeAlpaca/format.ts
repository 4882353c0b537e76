import { DateTime } from 'luxon';

/** @module The fake Alpaca's wire format: decimal strings, Alpaca's two timestamp styles, symbol spelling. */

export const NY = 'America/New_York';


/** Canonical (BRK-B) or Alpaca (BRK.B) -> Alpaca. */
export function alpacaSpelling(symbol: string): string {
  return symbol.trim().toUpperCase().replace(/-/g, '.');
}

export function fmt(n: number | null): string | null {
  if (n === null) return null;
  const s = n.toFixed(9);
  return s.replace(/\.?0+$/, '') || '0';
}

/** Alpaca's order timestamps: UTC with microseconds. */
export function isoMicros(d: Date | null): string | null {
  return d === null ? null : d.toISOString().replace('Z', '000Z');
}

/** Alpaca's clock timestamps: New York offset with nanoseconds. */
export function nyNanos(d: Date): string {
  const t = DateTime.fromJSDate(d, { zone: NY });
  return `${t.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}000000${t.toFormat('ZZ')}`;
}

const TERMINAL = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

/** Still working: everything but the terminal statuses (so also 'pending_review' and unknown words). */
export function isOpenStatus(status: string): boolean {
  return !TERMINAL.has(status);
}
