/**
 * @module The Sharpe-difference bootstrap of `atlas regime compare`, computed once per period for
 * every model: the moving-block resamples (analytics/bootstrap.ts, same seed, same draws) depend
 * only on the period's length, and buy-and-hold is the same series for every model, so its
 * resampled Sharpe ratios are computed once and each model only resamples its own returns. The
 * result equals blockBootstrapInterval(strategy, buyAndHold, sharpe(a) - sharpe(b)) bit for bit
 * (same draws, same summation order as analytics/metrics.ts sharpeRatio with rf = 0), without
 * copying every resample into a new array.
 */
import { quantileSorted, type BootstrapOptions } from '../analytics/bootstrap.js';
import { TRADING_DAYS } from '../analytics/metrics.js';
import { mulberry32 } from '../core/random.js';

export interface SharpeDiffBootstrap {
  /** Percentile interval of sharpe(a*) - sharpe(b*) over the resamples (b = the period's buy-and-hold). */
  interval(a: Float64Array, level: number): [number, number];
}

/**
 * The resample plan of n paired days and buy-and-hold's Sharpe ratio on every resample.
 * `b` must be the period's buy-and-hold returns; every later `interval(a)` pairs a with it.
 */
export function sharpeDiffBootstrap(b: Float64Array, opts: BootstrapOptions): SharpeDiffBootstrap {
  const n = b.length;
  if (n < 2) return { interval: () => [NaN, NaN] };
  const L = Math.max(1, Math.min(opts.blockLength, n));
  const blocks = Math.ceil(n / L);
  const rand = mulberry32(opts.seed);
  // Block starts of every resample, in the order blockBootstrapInterval draws them.
  const starts = new Int32Array(opts.samples * blocks);
  for (let i = 0; i < starts.length; i++) starts[i] = Math.floor(rand() * n);
  const sharpes = (x: Float64Array): Float64Array => {
    const out = new Float64Array(opts.samples);
    for (let s = 0; s < opts.samples; s++) out[s] = resampledSharpe(x, starts, s * blocks, blocks, L);
    return out;
  };
  const bSharpe = sharpes(b);
  return {
    interval(a, level) {
      if (a.length !== n) throw new RangeError(`sharpeDiffBootstrap: series of ${a.length} and ${n} values`);
      const aSharpe = sharpes(a);
      const values: number[] = [];
      for (let s = 0; s < opts.samples; s++) {
        const v = aSharpe[s] - bSharpe[s];
        if (Number.isFinite(v)) values.push(v);
      }
      values.sort((x, y) => x - y);
      const tail = (1 - level) / 2;
      return [quantileSorted(values, tail), quantileSorted(values, 1 - tail)];
    },
  };
}

/**
 * sharpeRatio (rf = 0) of the resample made of `blocks` circular blocks of length L starting at
 * starts[off..], truncated to x.length days: the mean, then the sample deviation around it, summed
 * in resample order exactly as analytics/metrics.ts does on the materialised array.
 */
function resampledSharpe(x: Float64Array, starts: Int32Array, off: number, blocks: number, L: number): number {
  const n = x.length;
  let sum = 0;
  for (let k = 0, bl = 0; bl < blocks; bl++) {
    const start = starts[off + bl];
    for (let j = 0; j < L && k < n; j++, k++) sum += x[(start + j) % n];
  }
  const m = sum / n;
  let ss = 0;
  for (let k = 0, bl = 0; bl < blocks; bl++) {
    const start = starts[off + bl];
    for (let j = 0; j < L && k < n; j++, k++) ss += (x[(start + j) % n] - m) ** 2;
  }
  const sd = Math.sqrt(ss / (n - 1));
  return sd > 0 ? (m / sd) * Math.sqrt(TRADING_DAYS) : NaN;
}
