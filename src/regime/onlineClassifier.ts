import { fitJumpModel, JumpWorkspace } from './jumpModel.js';
import type { FitRecord, JumpState, NoRegimeReason, RegimeParams } from './types.js';

/**
 * Online (no look-ahead) jump-model states.
 *
 * A feature day is a day on which DD, S20 and S60 are all defined. The first fit happens on the
 * trainWindow-th feature day and uses feature days 1..trainWindow (that day included); later fits
 * happen on the first feature day at least refitEvery trading days after the previous fit and use
 * the trailing trainWindow feature days up to and including that day. Each fit z-scores the three
 * features with the training mean and sample std (std 0 -> 1) and fits a 2-state jump model.
 *
 * A fit made on day t uses only data up to t, so day t is already classified with the new fit.
 * Each day's state is greedy: s_t = argmin_k 0.5 * ||z_t - theta_k||^2 + onlinePenalty * [k != s_{t-1}],
 * where s_{t-1} is the last classified state (bull/bear meaning, so it survives a refit that
 * relabels the centroids). The first classified day has no previous state and no penalty.
 * Ties keep the previous state, else prefer bull.
 */
export type OnlineParams = Pick<RegimeParams, 'jumpPenalty' | 'onlinePenalty' | 'nStarts' | 'seed' | 'maxIter' | 'tol' | 'trainWindow' | 'refitEvery'>;

export interface OnlineStates {
  state: (JumpState | null)[];
  reason: (NoRegimeReason | null)[];
  fitIndex: Int32Array;
  fits: FitRecord[];
}

const D = 3;

export function onlineStates(dates: readonly string[], dd: Float64Array, s20: Float64Array, s60: Float64Array, p: OnlineParams): OnlineStates {
  const n = dates.length;
  const state: (JumpState | null)[] = new Array<JumpState | null>(n).fill(null);
  const reason: (NoRegimeReason | null)[] = new Array<NoRegimeReason | null>(n).fill(null);
  const fitIndex = new Int32Array(n).fill(-1);
  const fits: FitRecord[] = [];
  const cols = [dd, s20, s60];
  const W = p.trainWindow;
  const featureDays = new Int32Array(n);
  let nFeat = 0;
  const X = new Float64Array(W * D);
  const ws = new JumpWorkspace(W, 2);
  let cur: FitRecord | null = null;
  let prev: JumpState | null = null;

  for (let t = 0; t < n; t++) {
    const ok = Number.isFinite(dd[t]) && Number.isFinite(s20[t]) && Number.isFinite(s60[t]);
    if (ok) {
      featureDays[nFeat++] = t;
      const due = cur === null ? nFeat >= W : t - cur.index >= p.refitEvery;
      if (due) {
        cur = fitWindow(dates, cols, featureDays.subarray(nFeat - W, nFeat), X, ws, p, t);
        fits.push(cur);
      }
    }
    if (cur === null) {
      reason[t] = 'insufficient history';
      continue;
    }
    fitIndex[t] = fits.length - 1;
    if (!ok) {
      reason[t] = 'feature undefined';
      continue;
    }
    let cBull = 0;
    let cBear = 0;
    for (let i = 0; i < D; i++) {
      const z = (cols[i][t] - cur.mean[i]) / cur.std[i];
      cBull += (z - cur.bull[i]) ** 2;
      cBear += (z - cur.bear[i]) ** 2;
    }
    cBull *= 0.5;
    cBear *= 0.5;
    if (prev === 'bull') cBear += p.onlinePenalty;
    else if (prev === 'bear') cBull += p.onlinePenalty;
    let s: JumpState;
    if (cBull < cBear) s = 'bull';
    else if (cBear < cBull) s = 'bear';
    else s = prev ?? 'bull';
    state[t] = s;
    prev = s;
  }
  return { state, reason, fitIndex, fits };
}

function fitWindow(
  dates: readonly string[], cols: Float64Array[], days: Int32Array, X: Float64Array, ws: JumpWorkspace, p: OnlineParams, t: number,
): FitRecord {
  const T = days.length;
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [1, 1, 1];
  for (let i = 0; i < D; i++) {
    const c = cols[i];
    let m = 0;
    for (let j = 0; j < T; j++) m += c[days[j]];
    m /= T;
    let v = 0;
    for (let j = 0; j < T; j++) v += (c[days[j]] - m) ** 2;
    const s = T > 1 ? Math.sqrt(v / (T - 1)) : 0;
    mean[i] = m;
    std[i] = s > 0 ? s : 1;
    for (let j = 0; j < T; j++) X[j * D + i] = (c[days[j]] - m) / std[i];
  }
  const fit = fitJumpModel(X, T, D, { K: 2, lambda: p.jumpPenalty, nStarts: p.nStarts, seed: p.seed, maxIter: p.maxIter, tol: p.tol }, ws);
  const C = fit.centroids;
  const bullK = C[1 * D + 1] > C[0 * D + 1] ? 1 : 0; // higher S20 centroid = bull
  const bearK = 1 - bullK;
  let switches = 0;
  for (let j = 1; j < T; j++) if (fit.states[j] !== fit.states[j - 1]) switches++;
  const row = (k: number): [number, number, number] => [C[k * D], C[k * D + 1], C[k * D + 2]];
  return {
    index: t,
    date: dates[t],
    trainFromIndex: days[0],
    trainFrom: dates[days[0]],
    trainTo: dates[days[T - 1]],
    trainDays: T,
    mean,
    std,
    bull: row(bullK),
    bear: row(bearK),
    objective: fit.objective,
    iterations: fit.iterations,
    bestStart: fit.bestStart,
    switches,
  };
}
