/**
 * Calendar dates as ISO strings (YYYY-MM-DD) at the edges, and as integer day numbers
 * (days since 1970-01-01) in hot loops and typed arrays. A date here is always a New York
 * session date, never an instant.
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const MS_PER_DAY = 86_400_000;

export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The digit at position i of s (0..9), or -1 when it is not an ASCII digit. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * 'YYYY-MM-DD' -> days since epoch. Throws on a malformed date. Day numbers are computed by
 * arithmetic (Hinnant's days-from-civil; a store write converts every bar's date), with the same
 * result as Date.UTC: a day past the month's end rolls over. Years below 100 and months outside
 * 1..12 (which Date.UTC reinterprets) go through Date.UTC itself.
 */
export function toDayNumber(iso: string): number {
  if (iso.length === 10 && iso.charCodeAt(4) === 45 && iso.charCodeAt(7) === 45) {
    const y3 = digit(iso, 0), y2 = digit(iso, 1), y1 = digit(iso, 2), y0 = digit(iso, 3);
    const m1 = digit(iso, 5), m0 = digit(iso, 6), d1 = digit(iso, 8), d0 = digit(iso, 9);
    if ((y3 | y2 | y1 | y0 | m1 | m0 | d1 | d0) >= 0) {
      const y = y3 * 1000 + y2 * 100 + y1 * 10 + y0;
      const m = m1 * 10 + m0;
      const d = d1 * 10 + d0;
      if (y >= 100 && m >= 1 && m <= 12) {
        const yy = m <= 2 ? y - 1 : y;
        const era = Math.floor(yy / 400);
        const yoe = yy - era * 400;
        const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5);
        const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
        return era * 146_097 + doe - 719_468 + d - 1;
      }
    }
  }
  const m = ISO_DATE.exec(iso);
  if (!m) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${iso}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY;
}

/**
 * days since epoch -> 'YYYY-MM-DD'. Whole days in years 0..9999 are converted by arithmetic
 * (Hinnant's civil-from-days; a panel load converts tens of thousands of them), anything else
 * through Date as before.
 */
export function fromDayNumber(day: number): string {
  if (!Number.isInteger(day) || day < -719_528 || day > 2_932_896) return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function addDays(iso: string, days: number): string {
  return fromDayNumber(toDayNumber(iso) + days);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(iso: string): number {
  return (toDayNumber(iso) + 4) % 7;
}
