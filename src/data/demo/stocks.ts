/**
 * Stock paths of the demo market. Daily log total return of stock i:
 *
 *   r_i,t = (alpha_i + x_i,t) / 252 + beta_i * m_t + f_sector,t + e_i,t
 *
 * m_t is the SPY log total return, f a sector factor (sector drift tilt of the episode plus noise
 * that grows with market volatility), e fat-tailed (Student-t 5) idiosyncratic noise, alpha_i a
 * constant per-stock drift and x_i,t a slow AR(1) drift (sd 20%/yr, half-life ~1.5 years): persistent drift
 * differences, so trend and 52-week-high momentum have something to find. Over many years the
 * stock-specific part reverts slowly (half-life ~6 years) so prices stay in a plausible range, and
 * a soft floor keeps the raw price above ~$8 most of the time. Dividend payers go ex quarterly.
 */
import { DEMO_SECTORS, type DemoSector } from './episodes.js';
import type { MarketPath } from './spyVix.js';
import { Rng } from './prng.js';
import { firstIndexOnOrAfter, quarterlySessions, type Timeline } from './timeline.js';
import type { DemoStockSpec } from './universe.js';
import { toDayNumber } from '../../core/dates.js';

const SQRT252 = Math.sqrt(252);

interface SectorProfile {
  beta: [number, number];
  idioVol: [number, number];
  factorVol: number;
  dividendYield: [number, number];
}

const PROFILE: Record<DemoSector, SectorProfile> = {
  technology: { beta: [1.0, 1.35], idioVol: [0.22, 0.36], factorVol: 0.1, dividendYield: [0.006, 0.025] },
  healthcare: { beta: [0.55, 0.9], idioVol: [0.16, 0.28], factorVol: 0.07, dividendYield: [0.012, 0.03] },
  financials: { beta: [0.95, 1.4], idioVol: [0.16, 0.28], factorVol: 0.09, dividendYield: [0.015, 0.035] },
  consumer: { beta: [0.55, 0.95], idioVol: [0.14, 0.26], factorVol: 0.07, dividendYield: [0.01, 0.03] },
};

const PRICE_FLOOR = 8;
/** Annual rate at which a stock's own (non-systematic) log price deviation decays. */
const REVERSION = 0.12;
/** Stationary sd (annual) and half-life (sessions) of each stock's slowly wandering drift x_i,t. */
const DRIFT_SD = 0.2;
const DRIFT_HALF_LIFE = 378;

/**
 * Sector factor log returns over the whole timeline, one stream per sector. The noise is bridged
 * per episode (like the market's), so a sector's move over an episode is exactly its scripted tilt
 * and sector rotation is dependable rather than left to the draw.
 */
export function simulateSectorFactors(tl: Timeline, market: MarketPath, seed: number): Record<DemoSector, Float64Array> {
  const n = tl.dates.length;
  const out = {} as Record<DemoSector, Float64Array>;
  const sd = new Float64Array(n);
  for (const sector of DEMO_SECTORS) {
    const rng = Rng.stream(seed, `sector:${sector}`);
    const f = new Float64Array(n);
    const base = PROFILE[sector].factorVol / SQRT252;
    for (let k = 0; k < tl.episodes.length; k++) {
      const { start, end } = tl.ranges[k];
      const tilt = (tl.episodes[k].sectorTilt?.[sector] ?? 0) / 252;
      let sumNoise = 0;
      let sumSd = 0;
      for (let t = Math.max(start, 1); t <= end; t++) {
        const m = market.vol[t] / 0.15;
        sd[t] = base * Math.sqrt(0.5 + 0.5 * m * m);
        f[t] = sd[t] * rng.normal();
        sumNoise += f[t];
        sumSd += sd[t];
      }
      for (let t = Math.max(start, 1); t <= end; t++) f[t] += tilt - (sd[t] / sumSd) * sumNoise;
    }
    out[sector] = f;
  }
  return out;
}

export interface StockPath {
  /** First session index with a bar. */
  start: number;
  /** Split-adjusted (current-basis) price and OHLC; raw = these x the later splits' factor. */
  close: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  /** Cash dividend per current-basis share with ex-date on session t. */
  dividend: Float64Array;
  /** Traded value in dollars on session t (volume = value / raw close). */
  dollarVolume: Float64Array;
}

export function simulateStock(
  spec: DemoStockSpec,
  tl: Timeline,
  market: MarketPath,
  sectorFactor: Float64Array,
  seed: number,
): StockPath | undefined {
  const n = tl.dates.length;
  const start = spec.listed ? firstIndexOnOrAfter(tl, toDayNumber(spec.listed)) : 0;
  if (start >= n) return undefined;

  const p = PROFILE[spec.sector];
  const par = Rng.stream(seed, `stock:${spec.symbol}:params`);
  const beta = par.uniform(p.beta[0], p.beta[1]);
  const idio = par.uniform(p.idioVol[0], p.idioVol[1]) / SQRT252;
  const alpha = 0.045 * par.normal();
  // Raw price multiplier of session t: the product of the factors of the splits after t.
  const splits = spec.splits ?? [];
  const rawMultiplier = (date: string): number => splits.reduce((m, sp) => (sp.date > date ? m * sp.factor : m), 1);
  // Stocks that will split start higher on the raw scale (but not by the full factor), as real
  // split candidates do: raw start = base x cube root of the later splits' factor.
  const startPrice = (spec.listed ? par.uniform(15, 45) : par.uniform(20, 120)) / Math.cbrt(rawMultiplier(tl.dates[start])) ** 2;
  const dividendYield = spec.noDividend ? 0 : par.uniform(p.dividendYield[0], p.dividendYield[1]);
  const exMonth = 1 + Math.floor(par.next() * 3);
  const exDay = 3 + Math.floor(par.next() * 22);
  const baseDollarVolume = Math.exp(par.uniform(Math.log(2e8), Math.log(3e9)));
  let drift = DRIFT_SD * par.normal(); // x_i,t, annual
  const phi = Math.exp(-Math.LN2 / DRIFT_HALF_LIFE);
  const driftSd = DRIFT_SD * Math.sqrt(1 - phi * phi);

  let logRef = Math.log(startPrice);
  const rng = Rng.stream(seed, `stock:${spec.symbol}:path`);
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const dividend = new Float64Array(n);
  const dollarVolume = new Float64Array(n);
  const exDates = dividendYield > 0 ? quarterlySessions(tl, exMonth, exDay) : new Set<number>();

  let mult = rawMultiplier(tl.dates[start]);
  let nextSplit = splits.findIndex((sp) => sp.date > tl.dates[start]);
  for (let t = start; t < n; t++) {
    if (nextSplit >= 0 && nextSplit < splits.length && tl.dates[t] >= splits[nextSplit].date) {
      mult /= splits[nextSplit].factor;
      nextSplit++;
    }
    const mv = market.vol[t] / 0.15;
    const idioSd = idio * Math.sqrt(0.7 + 0.3 * mv * mv);
    const mSd = market.vol[t] / SQRT252;
    const daySd = Math.sqrt(beta * beta * mSd * mSd + idioSd * idioSd);
    if (t === start) {
      close[t] = startPrice;
      open[t] = startPrice * Math.exp(0.3 * daySd * rng.normal());
    } else {
      drift = phi * drift + driftSd * rng.normal();
      const prev = close[t - 1];
      const systematic = beta * market.logRet[t] + sectorFactor[t];
      logRef += systematic;
      let r = (alpha + drift) / 252 + systematic + idioSd * rng.fatTail();
      // Slow pull (half-life ~6 years) of the stock-specific part back towards the systematic path.
      r -= (REVERSION / 252) * (Math.log(prev) - logRef);
      const floor = PRICE_FLOOR / mult;
      if (prev < floor) r += 0.02 * Math.log(floor / prev);
      const d = exDates.has(t) ? Math.round((dividendYield / 4) * prev * 1e4) / 1e4 : 0;
      dividend[t] = d;
      close[t] = prev * Math.exp(r) - d;
      open[t] = (prev - d) * Math.exp(0.3 * daySd * rng.normal());
    }
    const hi = Math.max(open[t], close[t]);
    const lo = Math.min(open[t], close[t]);
    high[t] = hi * Math.exp(0.5 * daySd * Math.abs(rng.normal()));
    low[t] = lo * Math.exp(-0.5 * daySd * Math.abs(rng.normal()));
    const move = Math.abs(Math.log(close[t] / open[t])) / daySd;
    dollarVolume[t] = baseDollarVolume * Math.sqrt(0.5 + 0.5 * mv * mv) * (0.7 + 0.3 * move) * Math.exp(0.25 * rng.normal());
  }
  return { start, close, open, high, low, dividend, dollarVolume };
}
