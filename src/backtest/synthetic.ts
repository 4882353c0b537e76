/**
 * Seeded synthetic market data for tests and benchmarks: random-walk prices with gaps, late
 * listings, delistings, dividend-style adjustment factors and optional raw splits, and a sticky
 * random regime series. Deterministic for a given seed (mulberry32).
 */
import { mulberry32 } from '../core/random.js';
import { addDays, weekday } from '../core/dates.js';
import type { Panel } from '../data/panel.js';
import { REGIMES, type Regime } from '../portfolio/allocation.js';
import type { RegimeSeries } from './engine.js';

export { mulberry32 };

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** `count` weekdays from `start` (inclusive when it is a weekday). */
export function weekdays(start: string, count: number): string[] {
  const out: string[] = [];
  let d = start;
  while (out.length < count) {
    const w = weekday(d);
    if (w !== 0 && w !== 6) out.push(d);
    d = addDays(d, 1);
  }
  return out;
}

export interface SyntheticOptions {
  symbols: number;
  sessions: number;
  seed: number;
  startDate?: string; // default 2000-01-03
  /** Probability that a cell is missing inside a symbol's life (default 0). */
  gapProb?: number;
  /** Probability that a symbol lists late / delists early (default 0). */
  lateListingProb?: number;
  delistProb?: number;
  /** Probability per session of a raw 2:1 split (default 0). */
  splitProb?: number;
  /** Daily drift and volatility of log prices (defaults 0.0004, 0.02). */
  drift?: number;
  vol?: number;
}

export function syntheticPanel(o: SyntheticOptions): Panel {
  const rand = mulberry32(o.seed);
  const n = o.sessions;
  const m = o.symbols;
  const dates = weekdays(o.startDate ?? '2000-01-03', n);
  const make = () => new Float64Array(n * m).fill(NaN);
  const panel: Panel = {
    dates,
    dayNumbers: Int32Array.from(dates, (d) => Date.parse(d + 'T00:00:00Z') / 86_400_000),
    symbols: Array.from({ length: m }, (_, i) => `S${String(i).padStart(4, '0')}`),
    open: make(),
    high: make(),
    low: make(),
    close: make(),
    adjClose: make(),
    volume: make(),
  };
  const drift = o.drift ?? 0.0004;
  const vol = o.vol ?? 0.02;
  const closes = new Float64Array(n);
  const factors = new Float64Array(n);
  for (let s = 0; s < m; s++) {
    const first = rand() < (o.lateListingProb ?? 0) ? Math.floor(rand() * n * 0.7) : 0;
    const last = rand() < (o.delistProb ?? 0) ? first + Math.floor(rand() * (n - first)) : n - 1;
    const mu = drift * (0.5 + rand());
    const sigma = vol * (0.5 + rand());
    // Raw close path: continuous log walk, divided by 2 after each raw split.
    let logP = Math.log(10 + rand() * 200);
    let splitDiv = 1;
    for (let d = 0; d < n; d++) {
      logP += mu + sigma * normal(rand);
      if (d > 0 && rand() < (o.splitProb ?? 0)) splitDiv *= 2;
      closes[d] = Math.exp(logP) / splitDiv;
      factors[d] = splitDiv; // raw -> split-adjusted-to-latest multiplier (before dividends)
    }
    // Adjustment: adjClose = close x splitDiv / finalSplitDiv x dividendFactor, dividend factor rising to 1 at the end.
    const finalDiv = factors[n - 1];
    let divFactor = 1;
    const divAdj = new Float64Array(n);
    for (let d = n - 1; d >= 0; d--) {
      divAdj[d] = divFactor;
      if (rand() < 0.016) divFactor *= 1 - rand() * 0.01; // an ex-dividend date about every 60 sessions
    }
    let prevClose = closes[0];
    for (let d = 0; d < n; d++) {
      const c = closes[d];
      const openRaw = d > 0 ? prevClose * (factors[d - 1] / factors[d]) * Math.exp(sigma * 0.3 * normal(rand)) : c;
      prevClose = c;
      if (d < first || d > last) continue;
      if (d > first && d < last && rand() < (o.gapProb ?? 0)) continue;
      const k = s * n + d;
      const hi = Math.max(openRaw, c) * (1 + Math.abs(normal(rand)) * sigma * 0.5);
      const lo = Math.min(openRaw, c) * (1 - Math.min(0.5, Math.abs(normal(rand)) * sigma * 0.5));
      panel.open[k] = openRaw;
      panel.high[k] = hi;
      panel.low[k] = lo;
      panel.close[k] = c;
      panel.adjClose[k] = c * (factors[d] / finalDiv) * divAdj[d];
      panel.volume[k] = Math.round(1e5 * Math.exp(normal(rand) * 0.5) * (1 + rand()));
    }
  }
  return panel;
}

/** A sticky Markov regime series over `dates`; the first `warmup` days are null. */
export function syntheticRegimes(dates: readonly string[], seed: number, warmup = 0, stay = 0.97): RegimeSeries {
  const rand = mulberry32(seed);
  let cur: Regime = 'TREND_BULL';
  const regimes: (Regime | null)[] = dates.map((_, i) => {
    if (i < warmup) return null;
    if (rand() > stay) cur = REGIMES[Math.floor(rand() * REGIMES.length)];
    return cur;
  });
  return { dates: [...dates], regimes };
}
