/**
 * Statistical jump model (Nystrup et al. 2020; Shu, Yu & Mulvey 2024):
 *   minimise  J(s, theta) = sum_t 0.5 * ||x_t - theta_{s_t}||^2 + lambda * #{t >= 1 : s_t != s_{t-1}}
 * over state sequences s in {0..K-1}^T and centroids theta (K x d), by coordinate descent:
 * an exact dynamic programme over s for fixed theta, then theta_k = mean of the points in state k
 * (an empty state keeps its previous centroid), from nStarts seeded k-means++ starts; the start
 * with the lowest final objective wins (ties: the earlier start).
 *
 * Data layout: X is row-major T x d (x_t = X[t*d .. t*d+d-1]); centroids are row-major K x d.
 */

import { mulberry32 } from '../core/random.js';
export { mulberry32 };

/** Reusable scratch buffers so the DP does not allocate. */
export class JumpWorkspace {
  back: Int32Array;
  /** The 2-state programme's back pointers, both states' in one byte per day (bit k: state k came from state 1). */
  back2: Uint8Array;
  v: Float64Array;
  vPrev: Float64Array;
  constructor(T: number, K: number) {
    this.back = new Int32Array(T * K);
    this.back2 = new Uint8Array(K === 2 ? T : 0);
    this.v = new Float64Array(K);
    this.vPrev = new Float64Array(K);
  }
  ensure(T: number, K: number): void {
    if (this.back.length < T * K) this.back = new Int32Array(T * K);
    if (K === 2 && this.back2.length < T) this.back2 = new Uint8Array(T);
    if (this.v.length < K) {
      this.v = new Float64Array(K);
      this.vPrev = new Float64Array(K);
    }
  }
}

/** 0.5 * ||x_t - theta_k||^2 */
function halfSqDist(X: Float64Array, t: number, C: Float64Array, k: number, d: number): number {
  let s = 0;
  const xo = t * d;
  const co = k * d;
  for (let i = 0; i < d; i++) {
    const e = X[xo + i] - C[co + i];
    s += e * e;
  }
  return 0.5 * s;
}

/** Objective J(s, theta) of a given state sequence. */
export function jumpObjective(X: Float64Array, T: number, d: number, C: Float64Array, lambda: number, states: ArrayLike<number>): number {
  let j = 0;
  for (let t = 0; t < T; t++) {
    j += halfSqDist(X, t, C, states[t], d);
    if (t > 0 && states[t] !== states[t - 1]) j += lambda;
  }
  return j;
}

/**
 * Exact minimisation of J over state sequences for fixed centroids (Viterbi). Writes the optimal
 * sequence into statesOut and returns the minimal objective. Ties prefer staying in the same
 * state, then the lower state index. O(T*K*d), no allocation when a workspace is passed.
 */
export function optimalStates(
  X: Float64Array, T: number, d: number, C: Float64Array, K: number, lambda: number,
  statesOut: Int32Array | Uint8Array, ws: JumpWorkspace = new JumpWorkspace(T, K),
): number {
  if (T === 0) return 0;
  ws.ensure(T, K);
  if (K === 2 && d === 3 && lambda >= 0) return optimalStates23(X, T, C, lambda, statesOut, ws.back2);
  const back = ws.back;
  let v = ws.v;
  let vPrev = ws.vPrev;
  for (let k = 0; k < K; k++) vPrev[k] = halfSqDist(X, 0, C, k, d);
  for (let t = 1; t < T; t++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (vPrev[k] < vPrev[best]) best = k;
    const switchCost = vPrev[best] + lambda;
    const bo = t * K;
    for (let k = 0; k < K; k++) {
      let from = k;
      let c = vPrev[k];
      if (switchCost < c) {
        c = switchCost;
        from = best;
      }
      back[bo + k] = from;
      v[k] = c + halfSqDist(X, t, C, k, d);
    }
    const tmp = vPrev;
    vPrev = v;
    v = tmp;
  }
  let s = 0;
  for (let k = 1; k < K; k++) if (vPrev[k] < vPrev[s]) s = k;
  const obj = vPrev[s];
  statesOut[T - 1] = s;
  for (let t = T - 1; t > 0; t--) {
    s = back[t * K + s];
    statesOut[t - 1] = s;
  }
  return obj;
}

/**
 * optimalStates for the models' case, 2 states in 3 features, with the distances written out: the
 * same operations in the same order (so the same bits), without the inner loops. With lambda >= 0
 * the state holding the lower value never switches (its switch costs lambda more than staying), so
 * only the other state compares; both back pointers go into one byte.
 */
function optimalStates23(X: Float64Array, T: number, C: Float64Array, lambda: number, statesOut: Int32Array | Uint8Array, back: Uint8Array): number {
  const a0 = C[0], a1 = C[1], a2 = C[2], b0 = C[3], b1 = C[4], b2 = C[5];
  let e0 = X[0] - a0, e1 = X[1] - a1, e2 = X[2] - a2;
  let p0 = 0.5 * (e0 * e0 + e1 * e1 + e2 * e2);
  e0 = X[0] - b0; e1 = X[1] - b1; e2 = X[2] - b2;
  let p1 = 0.5 * (e0 * e0 + e1 * e1 + e2 * e2);
  for (let t = 1; t < T; t++) {
    let c0 = p0;
    let c1 = p1;
    let from: number; // bit 0: state 0 came from state 1; bit 1: state 1 came from state 1
    if (p1 < p0) {
      const switchCost = p1 + lambda;
      if (switchCost < p0) {
        c0 = switchCost;
        from = 3;
      } else from = 2;
    } else {
      const switchCost = p0 + lambda;
      if (switchCost < p1) {
        c1 = switchCost;
        from = 0;
      } else from = 2;
    }
    back[t] = from;
    const xo = t * 3;
    const x0 = X[xo], x1 = X[xo + 1], x2 = X[xo + 2];
    e0 = x0 - a0; e1 = x1 - a1; e2 = x2 - a2;
    p0 = c0 + 0.5 * (e0 * e0 + e1 * e1 + e2 * e2);
    e0 = x0 - b0; e1 = x1 - b1; e2 = x2 - b2;
    p1 = c1 + 0.5 * (e0 * e0 + e1 * e1 + e2 * e2);
  }
  let s = p1 < p0 ? 1 : 0;
  const obj = s === 1 ? p1 : p0;
  statesOut[T - 1] = s;
  for (let t = T - 1; t > 0; t--) {
    s = (back[t] >> s) & 1;
    statesOut[t - 1] = s;
  }
  return obj;
}

/** k-means++ seeding: first centroid uniform, then each next point with probability ~ D^2. */
export function kmeansPlusPlus(X: Float64Array, T: number, d: number, K: number, rand: () => number, out: Float64Array, dist: Float64Array = new Float64Array(T)): void {
  const copy = (t: number, k: number) => {
    for (let i = 0; i < d; i++) out[k * d + i] = X[t * d + i];
  };
  copy(Math.min(T - 1, Math.floor(rand() * T)), 0);
  for (let t = 0; t < T; t++) dist[t] = 2 * halfSqDist(X, t, out, 0, d);
  for (let k = 1; k < K; k++) {
    let total = 0;
    for (let t = 0; t < T; t++) total += dist[t];
    let pick = T - 1;
    if (total > 0) {
      let target = rand() * total;
      for (let t = 0; t < T; t++) {
        target -= dist[t];
        if (target < 0) {
          pick = t;
          break;
        }
      }
    } else {
      pick = Math.min(T - 1, Math.floor(rand() * T));
    }
    copy(pick, k);
    for (let t = 0; t < T; t++) {
      const dk = 2 * halfSqDist(X, t, out, k, d);
      if (dk < dist[t]) dist[t] = dk;
    }
  }
}

/** theta_k = mean of the points in state k; an empty state keeps its previous centroid. */
export function updateCentroids(X: Float64Array, T: number, d: number, K: number, states: ArrayLike<number>, C: Float64Array, counts: Float64Array = new Float64Array(K)): void {
  if (K === 2 && d === 3) return updateCentroids23(X, T, states, C, counts);
  counts.fill(0, 0, K);
  const sums = new Float64Array(K * d);
  for (let t = 0; t < T; t++) {
    const k = states[t];
    counts[k]++;
    for (let i = 0; i < d; i++) sums[k * d + i] += X[t * d + i];
  }
  for (let k = 0; k < K; k++) {
    if (counts[k] === 0) continue;
    for (let i = 0; i < d; i++) C[k * d + i] = sums[k * d + i] / counts[k];
  }
}

/** updateCentroids for 2 states in 3 features: the same sums in the same order, in registers. */
function updateCentroids23(X: Float64Array, T: number, states: ArrayLike<number>, C: Float64Array, counts: Float64Array): void {
  let n0 = 0, n1 = 0, s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0;
  for (let t = 0; t < T; t++) {
    const o = t * 3;
    if (states[t] === 0) {
      n0++;
      s00 += X[o];
      s01 += X[o + 1];
      s02 += X[o + 2];
    } else {
      n1++;
      s10 += X[o];
      s11 += X[o + 1];
      s12 += X[o + 2];
    }
  }
  counts[0] = n0;
  counts[1] = n1;
  if (n0 !== 0) {
    C[0] = s00 / n0;
    C[1] = s01 / n0;
    C[2] = s02 / n0;
  }
  if (n1 !== 0) {
    C[3] = s10 / n1;
    C[4] = s11 / n1;
    C[5] = s12 / n1;
  }
}

export interface JumpFitOptions {
  K: number;
  lambda: number;
  nStarts: number;
  seed: number;
  maxIter: number;
  tol: number;
  /** Deterministic starting centroids (K x d each), tried before the k-means++ starts; their starts are numbered first. */
  inits?: readonly Float64Array[];
}

export interface JumpFit {
  centroids: Float64Array; // K x d
  states: Int32Array; // T
  objective: number;
  iterations: number;
  bestStart: number;
}

export function fitJumpModel(X: Float64Array, T: number, d: number, opts: JumpFitOptions, ws?: JumpWorkspace): JumpFit {
  const { K, lambda, nStarts, maxIter, tol } = opts;
  if (T < 1) throw new RangeError('fitJumpModel: no data');
  const work = ws ?? new JumpWorkspace(T, K);
  const rand = mulberry32(opts.seed);
  const C = new Float64Array(K * d);
  const states = new Int32Array(T);
  const dist = new Float64Array(T);
  const counts = new Float64Array(K);
  let best: JumpFit | null = null;
  const inits = opts.inits ?? [];
  for (let start = 0; start < inits.length + nStarts; start++) {
    if (start < inits.length) C.set(inits[start].subarray(0, K * d));
    else kmeansPlusPlus(X, T, d, K, rand, C, dist);
    let prev = Infinity;
    let obj = Infinity;
    let it = 0;
    while (it < maxIter) {
      it++;
      obj = optimalStates(X, T, d, C, K, lambda, states, work);
      if (Math.abs(prev - obj) < tol) break;
      prev = obj;
      if (it === maxIter) break;
      updateCentroids(X, T, d, K, states, C, counts);
    }
    if (best === null || obj < best.objective) {
      best = { centroids: C.slice(), states: states.slice(), objective: obj, iterations: it, bestStart: start };
    }
  }
  return best!;
}
