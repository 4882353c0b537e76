/**
 * The SPY proxy and the VIX proxy of the demo market.
 *
 * SPY: per episode, daily log returns = drift + sigma_t * z, where sigma_t follows the episode's
 * volatility (smoothed at the edges, with a slow stochastic-volatility wiggle) and the noise is
 * bridged so that every episode's total return is exactly the scripted one; scripted shock days
 * get their scripted return. Dividends (1.8% a year) are paid on the third Friday of
 * Mar/Jun/Sep/Dec, so the raw close drifts below the total-return path.
 *
 * VIX: log VIX = a slow part that mean-reverts (10%/session) towards 4 + 0.9 x trailing realized
 * SPY volatility (in points; EWMA blend of ~11- and ~46-session half-lives), plus noise, plus a
 * fast leverage part that jumps on down days (+4 x minus the SPY log return; +2 x on up days, the
 * other way) and decays with a ~2-session half-life.
 */
import { Rng } from './prng.js';
import { quarterlySessions, type Timeline } from './timeline.js';

const SQRT252 = Math.sqrt(252);

/** SPY close on the first simulated session. */
export const SPY_START_PRICE = 145;
export const SPY_DIVIDEND_YIELD = 0.018;

export interface MarketPath {
  /** Total-return log return of session t (0 at t = 0). */
  logRet: Float64Array;
  /** Annualised volatility regime in force on session t (scripted vol x wiggle). */
  vol: Float64Array;
  /** Dividend-paying price path (raw: SPY never splits). */
  price: Float64Array;
  /** Cash dividend with ex-date on session t (0 = none). */
  dividend: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  /** Multiplicative volume noise (mean ~1, higher on big moves). */
  volumeNoise: Float64Array;
}

export function simulateMarket(tl: Timeline, seed: number): MarketPath {
  const n = tl.dates.length;
  const rng = Rng.stream(seed, 'market:SPY');
  const logRet = new Float64Array(n);
  const vol = new Float64Array(n);

  // Volatility: follow the episode's vol (fast up, slow down) times exp(h), h a slow OU wiggle.
  let v = tl.episodes.length > 0 ? tl.episodes[0].vol : 0.15;
  let h = 0;
  const hPhi = Math.exp(-Math.LN2 / 15);
  const hSd = 0.22 * Math.sqrt(1 - hPhi * hPhi);
  for (let t = 0; t < n; t++) {
    const target = tl.episodes[tl.episodeOf[t]].vol;
    v += (target - v) * (target > v ? 0.4 : 0.1);
    h = hPhi * h + hSd * rng.normal();
    vol[t] = v * Math.exp(h);
  }

  // Returns, episode by episode, bridged to the scripted totals.
  const sd = new Float64Array(n);
  for (let k = 0; k < tl.episodes.length; k++) {
    const e = tl.episodes[k];
    const { start, end } = tl.ranges[k];
    const a = Math.max(start, 1);
    if (a > end) continue;
    const shockAt = new Map<number, number>();
    for (const s of e.shocks ?? []) {
      for (let t = a; t <= end; t++) if (tl.dates[t] === s.date) shockAt.set(t, Math.log(1 + s.ret));
    }
    let target = Math.log(1 + e.totalReturn);
    let free = 0;
    let sumS = 0;
    let sumNoise = 0;
    for (let t = a; t <= end; t++) {
      const fixed = shockAt.get(t);
      if (fixed !== undefined) {
        logRet[t] = fixed;
        target -= fixed;
        continue;
      }
      sd[t] = vol[t] / SQRT252;
      const noise = sd[t] * rng.normal();
      logRet[t] = noise;
      sumNoise += noise;
      sumS += sd[t];
      free++;
    }
    if (free === 0) continue;
    // Bridge: remove the realized noise total (in proportion to each day's sd), add the drift.
    const mu = target / free;
    for (let t = a; t <= end; t++) {
      if (shockAt.has(t)) continue;
      logRet[t] += mu - (sd[t] / sumS) * sumNoise;
    }
  }

  // Price with quarterly dividends: P_t = P_{t-1} * exp(r_t) - D_t, D_t = yield/4 * P_{t-1}.
  const exDates = quarterlySessions(tl, 3, 0);
  const price = new Float64Array(n);
  const dividend = new Float64Array(n);
  price[0] = SPY_START_PRICE;
  for (let t = 1; t < n; t++) {
    const d = exDates.has(t) ? Math.round(((SPY_DIVIDEND_YIELD / 4) * price[t - 1]) * 1e4) / 1e4 : 0;
    dividend[t] = d;
    price[t] = price[t - 1] * Math.exp(logRet[t]) - d;
  }

  // Intraday: open gaps from the (ex-dividend) previous close, high/low extend beyond open/close.
  const bars = Rng.stream(seed, 'market:SPY:bars');
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const volumeNoise = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const daySd = vol[t] / SQRT252;
    open[t] = (t === 0 ? price[0] : price[t - 1] - dividend[t]) * Math.exp(0.25 * daySd * bars.normal());
    const hi = Math.max(open[t], price[t]);
    const lo = Math.min(open[t], price[t]);
    high[t] = hi * Math.exp(0.4 * daySd * Math.abs(bars.normal()));
    low[t] = lo * Math.exp(-0.4 * daySd * Math.abs(bars.normal()));
    volumeNoise[t] = (0.7 + 0.3 * (Math.abs(logRet[t]) / daySd)) * Math.exp(0.2 * bars.normal());
  }
  return { logRet, vol, price, dividend, open, high, low, volumeNoise };
}

export interface VixPath {
  close: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
}

const VIX_FLOOR = 9;

export function simulateVix(tl: Timeline, market: MarketPath, seed: number): VixPath {
  const n = tl.dates.length;
  const rng = Rng.stream(seed, 'market:VIX');
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  if (n === 0) return { close, open, high, low };

  const v0 = market.vol[0] / SQRT252;
  let varShort = v0 * v0; // EWMA lambda 0.94 (RiskMetrics, ~11-session half-life)
  let varLong = v0 * v0; // EWMA lambda 0.985 (~46-session half-life)
  const targetOf = (): number => 4 + 90 * Math.sqrt(252 * (0.8 * varShort + 0.2 * varLong));
  let base = Math.log(targetOf()); // slow part: mean-reverts to the realized-vol target
  let jump = 0; // fast part: leverage-effect jumps that decay with a ~2-session half-life
  close[0] = Math.exp(base);
  open[0] = close[0];
  for (let t = 1; t < n; t++) {
    const r = market.logRet[t];
    varShort = 0.94 * varShort + 0.06 * r * r;
    varLong = 0.985 * varLong + 0.015 * r * r;
    base += 0.1 * (Math.log(targetOf()) - base) + 0.035 * rng.normal();
    jump = 0.7 * jump + (r < 0 ? -4 * r : -2 * r);
    const prev = Math.log(close[t - 1]);
    let x = base + jump;
    if (x < Math.log(VIX_FLOOR)) x = Math.log(VIX_FLOOR) + 0.02 * Math.abs(rng.normal());
    close[t] = Math.exp(x);
    open[t] = Math.exp(prev + 0.4 * (x - prev) + 0.02 * rng.normal());
  }
  for (let t = 0; t < n; t++) {
    const hi = Math.max(open[t], close[t]);
    const lo = Math.min(open[t], close[t]);
    high[t] = hi * Math.exp(0.005 + 0.03 * Math.abs(rng.normal()));
    low[t] = lo * Math.exp(-0.004 - 0.025 * Math.abs(rng.normal()));
  }
  return { close, open, high, low };
}
