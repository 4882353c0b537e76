/**
 * Deterministic starting centroids for a 2-state jump-model fit, tried before the random
 * k-means++ starts: for each feature, the means of the points below and above its median. On the
 * 48 SPY windows these reach the lowest objective the reference `jumpmodels` finds with 100
 * random starts, where 10 k-means++ starts alone stop at a local minimum in 4 of them
 * (test/regime/fitFixture.test.ts).
 */

export function medianSplitInits(X: Float64Array, T: number, d: number): Float64Array[] {
  const out: Float64Array[] = [];
  const col = new Float64Array(T);
  for (let i = 0; i < d; i++) {
    for (let t = 0; t < T; t++) col[t] = X[t * d + i];
    const sorted = col.slice().sort();
    const med = sorted[T >> 1];
    const C = new Float64Array(2 * d);
    const n = [0, 0];
    for (let t = 0; t < T; t++) {
      const k = X[t * d + i] < med ? 0 : 1;
      n[k]++;
      for (let j = 0; j < d; j++) C[k * d + j] += X[t * d + j];
    }
    if (n[0] === 0 || n[1] === 0) continue;
    for (let k = 0; k < 2; k++) for (let j = 0; j < d; j++) C[k * d + j] /= n[k];
    out.push(C);
  }
  return out;
}
