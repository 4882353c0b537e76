/**
 * A small, dependency-free SVG line chart: several series over shared dates, optional log scale
 * and coloured background bands (regimes). Output is deterministic text, so reports built from the
 * same inputs are byte-identical.
 */
export interface LineSeries {
  name: string;
  values: ArrayLike<number>;
  color: string;
}

export interface Band {
  from: number; // index, inclusive
  to: number; // index, inclusive
  color: string;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  log?: boolean;
  title: string;
  format?: (v: number) => string;
  bands?: Band[];
  /** Draw at most this many points per series (evenly thinned; the last point is kept). */
  maxPoints?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r2 = (x: number) => (Math.round(x * 100) / 100).toString();

export function lineChart(dates: readonly string[], series: readonly LineSeries[], o: ChartOptions): string {
  const W = o.width ?? 960;
  const H = o.height ?? 320;
  const L = 84, R = 12, T = 28, B = 28;
  const n = dates.length;
  const tf = (v: number) => (o.log ? Math.log(v) : v);
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (let i = 0; i < n; i++) {
    const v = s.values[i];
    if (Number.isFinite(v) && (!o.log || v > 0)) {
      lo = Math.min(lo, tf(v));
      hi = Math.max(hi, tf(v));
    }
  }
  if (!(lo < hi)) { lo = (lo || 0) - 1; hi = lo + 2; }
  const pad = (hi - lo) * 0.05;
  lo -= pad; hi += pad;
  const x = (i: number) => L + (n <= 1 ? 0 : (i / (n - 1)) * (W - L - R));
  const y = (v: number) => T + (1 - (tf(v) - lo) / (hi - lo)) * (H - T - B);
  const step = Math.max(1, Math.ceil(n / (o.maxPoints ?? 1500)));
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.title)}">`];
  parts.push(`<text x="${L}" y="18" font-size="13" font-weight="600">${esc(o.title)}</text>`);
  for (const b of o.bands ?? []) {
    parts.push(`<rect x="${r2(x(b.from))}" y="${T}" width="${r2(Math.max(0.5, x(b.to) - x(b.from)))}" height="${H - T - B}" fill="${b.color}" />`);
  }
  // y grid: 5 ticks
  const fmt = o.format ?? ((v: number) => v.toFixed(0));
  for (let k = 0; k <= 4; k++) {
    const tv = lo + ((hi - lo) * k) / 4;
    const v = o.log ? Math.exp(tv) : tv;
    const yy = y(v);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${r2(yy)}" y2="${r2(yy)}" stroke="#ddd" stroke-width="1" />`);
    parts.push(`<text x="${L - 6}" y="${r2(yy + 4)}" font-size="11" text-anchor="end" fill="#555">${esc(fmt(v))}</text>`);
  }
  // x labels: years
  let lastYear = '';
  const years: number[] = [];
  for (let i = 0; i < n; i++) if (dates[i].slice(0, 4) !== lastYear) { lastYear = dates[i].slice(0, 4); years.push(i); }
  const every = Math.max(1, Math.ceil(years.length / 12));
  years.forEach((i, k) => {
    if (k % every) return;
    parts.push(`<text x="${r2(x(i))}" y="${H - 8}" font-size="11" text-anchor="middle" fill="#555">${dates[i].slice(0, 4)}</text>`);
  });
  for (const s of series) {
    let d = '';
    for (let i = 0; i < n; i += step) d += pathPoint(d, s.values[i], i);
    if ((n - 1) % step) d += pathPoint(d, s.values[n - 1], n - 1);
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.4" />`);
  }
  // legend
  series.forEach((s, k) => {
    const lx = L + 10 + k * 190;
    parts.push(`<rect x="${lx}" y="${T + 6}" width="12" height="3" fill="${s.color}" /><text x="${lx + 16}" y="${T + 11}" font-size="11">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');

  function pathPoint(d: string, v: number, i: number): string {
    if (!Number.isFinite(v) || (o.log && v <= 0)) return '';
    return `${d === '' ? 'M' : 'L'}${r2(x(i))},${r2(y(v))}`;
  }
}

/** Contiguous runs of equal keys as bands, skipping keys with no colour. */
export function bandsFromKeys(keys: readonly (string | null)[], colors: Record<string, string>): Band[] {
  const bands: Band[] = [];
  let start = 0;
  for (let i = 1; i <= keys.length; i++) {
    if (i === keys.length || keys[i] !== keys[start]) {
      const c = keys[start] ? colors[keys[start] as string] : undefined;
      if (c) bands.push({ from: start, to: i - 1, color: c });
      start = i;
    }
  }
  return bands;
}
