import type { JumpState, Regime } from './types.js';

/**
 * Expanding-window z-score using data up to and including t only:
 *   z_t = (x_t - mean(x_{first..t})) / sampleStd(x_{first..t}),
 * over the defined (finite) values; NaN until minObs values exist, when x_t is NaN, or when the
 * std is 0. Welford's update, so a prefix of the input gives a bit-identical prefix of the output.
 */
export function expandingZ(x: ArrayLike<number>, minObs: number): Float64Array {
  const n = x.length;
  const z = new Float64Array(n).fill(NaN);
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let t = 0; t < n; t++) {
    const v = x[t];
    if (!Number.isFinite(v)) continue;
    count++;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
    if (count >= minObs && count > 1) {
      const sd = Math.sqrt(m2 / (count - 1));
      if (sd > 0) z[t] = (v - mean) / sd;
    }
  }
  return z;
}

export interface ClassifyThresholds {
  crashDdZ: number;
  crashS20Z: number;
  bullS20Z: number;
}

/**
 * Model regime of one day (before the VIX layer):
 *   bear and ddZ > crashDdZ and s20Z < crashS20Z -> CRASH; other bear -> TREND_BEAR;
 *   bull and s20Z > bullS20Z -> TREND_BULL; other bull -> TREND_NEUTRAL.
 * A NaN z-score fails every strict comparison (so bear -> TREND_BEAR, bull -> TREND_NEUTRAL).
 */
export function classifyDay(state: JumpState, ddZ: number, s20Z: number, th: ClassifyThresholds): Regime {
  if (state === 'bear') return ddZ > th.crashDdZ && s20Z < th.crashS20Z ? 'CRASH' : 'TREND_BEAR';
  return s20Z > th.bullS20Z ? 'TREND_BULL' : 'TREND_NEUTRAL';
}
