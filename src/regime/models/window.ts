/**
 * One training window of the v2 jump models: clip each raw feature at mean +/- clipSd sample std
 * of the window (so one crash does not stretch the scale of everything else), then z-score the
 * clipped values with their own mean and sample std. New days are mapped with the same bounds,
 * mean and std, so the online step sees the features exactly as the fit saw them.
 */

export type Vec3 = [number, number, number];

export interface WindowScale {
  mean: Vec3;
  std: Vec3;
  clipLo: Vec3;
  clipHi: Vec3;
}

const D = 3;

function meanStd(values: Float64Array): [number, number] {
  const T = values.length;
  let m = 0;
  for (let j = 0; j < T; j++) m += values[j];
  m /= T;
  let v = 0;
  for (let j = 0; j < T; j++) v += (values[j] - m) ** 2;
  const s = T > 1 ? Math.sqrt(v / (T - 1)) : 0;
  return [m, s > 0 ? s : 1];
}

/** Writes the window's z-scored rows into X (row-major, T x 3) and returns the scale. */
export function scaleWindow(cols: readonly Float64Array[], days: ArrayLike<number>, clipSd: number, X: Float64Array): WindowScale {
  const T = days.length;
  const scale: WindowScale = { mean: [0, 0, 0], std: [1, 1, 1], clipLo: [-Infinity, -Infinity, -Infinity], clipHi: [Infinity, Infinity, Infinity] };
  const v = new Float64Array(T);
  for (let i = 0; i < D; i++) {
    const c = cols[i];
    for (let j = 0; j < T; j++) v[j] = c[days[j]];
    if (clipSd > 0) {
      const [m0, s0] = meanStd(v);
      scale.clipLo[i] = m0 - clipSd * s0;
      scale.clipHi[i] = m0 + clipSd * s0;
      for (let j = 0; j < T; j++) v[j] = Math.min(scale.clipHi[i], Math.max(scale.clipLo[i], v[j]));
    }
    const [m, s] = meanStd(v);
    scale.mean[i] = m;
    scale.std[i] = s;
    for (let j = 0; j < T; j++) X[j * D + i] = (v[j] - m) / s;
  }
  return scale;
}

/** z-scores of one raw feature vector under a window's scale. */
export function scalePoint(scale: WindowScale, raw: readonly number[], out: Float64Array): Float64Array {
  for (let i = 0; i < D; i++) out[i] = (Math.min(scale.clipHi[i], Math.max(scale.clipLo[i], raw[i])) - scale.mean[i]) / scale.std[i];
  return out;
}
