/**
 * Moving-block bootstrap (Künsch 1989) of a statistic of paired daily series: resample blocks of
 * consecutive days (circular, so every day is equally likely) to keep the serial dependence of
 * returns, and read the percentile interval. Seeded (mulberry32), so a report is reproducible.
 */
import { mulberry32 } from '../core/random.js';

export interface BootstrapOptions {
  samples: number;
  blockLength: number;
  seed: number;
}

export const DEFAULT_BOOTSTRAP: Readonly<BootstrapOptions> = Object.freeze({ samples: 1000, blockLength: 21, seed: 20240601 });

/** Linear-interpolated quantile of an ascending-sorted array (q in [0, 1]). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile interval [q(alpha/2), q(1 - alpha/2)] of stat(a*, b*) over block-bootstrap resamples of
 * the paired series a, b (same length). Resamples where stat is not finite are dropped.
 */
export function blockBootstrapInterval(
  a: Float64Array, b: Float64Array, stat: (a: Float64Array, b: Float64Array) => number, level = 0.9, opts: BootstrapOptions = DEFAULT_BOOTSTRAP,
): [number, number] {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`blockBootstrapInterval: series of ${n} and ${b.length} values`);
  if (n < 2) return [NaN, NaN];
  const L = Math.max(1, Math.min(opts.blockLength, n));
  const rand = mulberry32(opts.seed);
  const ra = new Float64Array(n);
  const rb = new Float64Array(n);
  const values: number[] = [];
  for (let s = 0; s < opts.samples; s++) {
    let k = 0;
    while (k < n) {
      const start = Math.floor(rand() * n);
      for (let j = 0; j < L && k < n; j++, k++) {
        const i = (start + j) % n;
        ra[k] = a[i];
        rb[k] = b[i];
      }
    }
    const v = stat(ra, rb);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return [quantileSorted(values, tail), quantileSorted(values, 1 - tail)];
}
