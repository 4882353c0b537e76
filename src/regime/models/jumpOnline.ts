/**
 * The v2 jump-model engine behind `jm-online` and `jm-vote`: fits on a schedule (a rolling or
 * expanding window of feature days, refit every N sessions or on the first session of January and
 * July), features clipped and z-scored per window, and each day's state chosen by the jump model's
 * own online inference with the fitted lambda: the forward dynamic-programme value
 *   V_t(k) = c_t(k) + min(V_{t-1}(k), min_j V_{t-1}(j) + lambda),  state_t = argmin_k V_t(k),
 * started over the training window at each fit and carried forward one day at a time (O(states)
 * per day). The state with the higher cumulative return over the training window is bull.
 * A fit on day t uses feature days <= t only, so day t is already classified with it.
 */
import type { Features } from '../features.js';
import { fitJumpModel, JumpWorkspace } from '../jumpModel.js';
import type { FitRecord, JumpState, NoRegimeReason, RegimeParams } from '../types.js';
import { robustInits } from './inits.js';
import { scalePoint, scaleWindow, type Vec3, type WindowScale } from './window.js';

export interface JumpOnlineResult {
  /** One state column per lambda, in the order given. */
  states: (JumpState | null)[][];
  reason: (NoRegimeReason | null)[];
  /** Fit in force on each day for the reference lambda (the one nearest params.jumpPenalty); -1 before the first. */
  fitIndex: Int32Array;
  fits: FitRecord[];
}

const D = 3;

/** Whether day t opens a new half-year (first session of January or July). */
function opensHalfYear(dates: readonly string[], t: number): boolean {
  if (t === 0) return false;
  const m = dates[t].slice(5, 7);
  return m !== dates[t - 1].slice(5, 7) && (m === '01' || m === '07');
}

export function jumpOnlineStates(dates: readonly string[], f: Features, p: RegimeParams, lambdas: readonly number[]): JumpOnlineResult {
  const n = dates.length;
  const L = lambdas.length;
  const cols = [f.dd, f.s20, f.s60];
  const states = lambdas.map(() => new Array<JumpState | null>(n).fill(null));
  const reason = new Array<NoRegimeReason | null>(n).fill(null);
  const fitIndex = new Int32Array(n).fill(-1);
  const fits: FitRecord[] = [];
  let ref = 0;
  for (let l = 1; l < L; l++) if (Math.abs(lambdas[l] - p.jumpPenalty) < Math.abs(lambdas[ref] - p.jumpPenalty)) ref = l;

  const featureDays = new Int32Array(n);
  let nFeat = 0;
  let X = new Float64Array(0);
  let logRet = new Float64Array(0);
  const ws = new JumpWorkspace(p.trainWindow, 2);
  // Per lambda: centroids in [bull, bear] row order, the forward values V[bull], V[bear], the previous fit's centroids.
  const cent = lambdas.map(() => new Float64Array(2 * D));
  const V = lambdas.map(() => new Float64Array(2));
  const warm: (Float64Array | null)[] = lambdas.map(() => null);
  let scale: WindowScale | null = null;
  let lastFit = -1;
  let refRecord = -1;
  let pending = false;
  const z = new Float64Array(D);
  const raw = [0, 0, 0];

  for (let t = 0; t < n; t++) {
    const ok = Number.isFinite(f.dd[t]) && Number.isFinite(f.s20[t]) && Number.isFinite(f.s60[t]);
    if (p.refitSchedule === 'half-year' && opensHalfYear(dates, t)) pending = true;
    if (ok) {
      featureDays[nFeat++] = t;
      const due = scale === null ? nFeat >= p.trainWindow : p.refitSchedule === 'sessions' ? t - lastFit >= p.refitEvery : pending;
      if (due) {
        pending = false;
        lastFit = t;
        const days = p.windowMode === 'rolling' ? featureDays.subarray(nFeat - p.trainWindow, nFeat) : featureDays.subarray(0, nFeat);
        const T = days.length;
        if (X.length < T * D) X = new Float64Array(Math.max(T * D, X.length * 2));
        scale = scaleWindow(cols, days, p.clipSd, X);
        const inits = warm[0] ? [] : robustInits(X, T, D);
        // Log returns of the training days, shared by every lambda's bull/bear labelling.
        if (logRet.length < T) logRet = new Float64Array(Math.max(T, logRet.length * 2));
        for (let j = 0; j < T; j++) logRet[j] = Math.log1p(f.excessReturn[days[j]]);
        for (let l = 0; l < L; l++) {
          // The first fit starts from the fixture-checked deterministic set (the first lambda) or the
          // neighbouring lambda's fit, plus nStarts k-means++ draws; a refit from this
          // lambda's previous fit and the neighbouring lambda's fit on this window (a refit moves the
          // centroids little, and the bench budget is 1 s for all refits of all lambdas).
          const starts = warm[l] ? [warm[l]!, ...(l > 0 ? [warm[l - 1]!] : [])] : l > 0 ? [warm[l - 1]!] : inits;
          const fit = fitJumpModel(X, T, D, {
            K: 2, lambda: lambdas[l], nStarts: warm[l] ? 0 : p.nStarts, seed: p.seed, maxIter: p.maxIter, tol: p.tol, inits: starts,
          }, ws);
          // Bull = the state with the higher cumulative (log) return over the training window.
          const cum = [0, 0];
          for (let j = 0; j < T; j++) cum[fit.states[j]] += logRet[j];
          const bullK = cum[1] > cum[0] ? 1 : 0;
          const c = cent[l];
          for (let i = 0; i < D; i++) {
            c[i] = fit.centroids[bullK * D + i];
            c[D + i] = fit.centroids[(1 - bullK) * D + i];
          }
          warm[l] = fit.centroids.slice();
          // Forward values over the training window with the fitted centroids and lambda.
          const v = V[l];
          v[0] = v[1] = 0;
          for (let j = 0; j < T; j++) step(v, X, j * D, c, lambdas[l]);
          let switches = 0;
          for (let j = 1; j < T; j++) if (fit.states[j] !== fit.states[j - 1]) switches++;
          const row = (o: number): Vec3 => [c[o], c[o + 1], c[o + 2]];
          fits.push({
            index: t, date: dates[t], trainFromIndex: days[0], trainFrom: dates[days[0]], trainTo: dates[days[T - 1]], trainDays: T,
            mean: [...scale.mean], std: [...scale.std], bull: row(0), bear: row(D),
            objective: fit.objective, iterations: fit.iterations, bestStart: fit.bestStart, switches,
            lambda: lambdas[l], clipLo: [...scale.clipLo], clipHi: [...scale.clipHi],
          });
          if (l === ref) refRecord = fits.length - 1;
          states[l][t] = pick(v, null);
        }
        fitIndex[t] = refRecord;
        continue;
      }
    }
    if (scale === null) {
      reason[t] = 'insufficient history';
      continue;
    }
    fitIndex[t] = refRecord;
    if (!ok) {
      reason[t] = 'feature undefined';
      continue;
    }
    raw[0] = f.dd[t];
    raw[1] = f.s20[t];
    raw[2] = f.s60[t];
    scalePoint(scale, raw, z);
    for (let l = 0; l < L; l++) {
      step(V[l], z, 0, cent[l], lambdas[l]);
      states[l][t] = pick(V[l], lastState(states[l], t));
    }
  }
  return { states, reason, fitIndex, fits };
}

/**
 * One forward DP step in place on the point x[o..o+D); values are shifted so the smaller is 0 (the
 * argmin is unchanged). An offset, not a subarray: a fit steps through every training day.
 */
function step(v: Float64Array, x: Float64Array, o: number, c: Float64Array, lambda: number): void {
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < D; i++) {
    c0 += (x[o + i] - c[i]) ** 2;
    c1 += (x[o + i] - c[D + i]) ** 2;
  }
  const best = Math.min(v[0], v[1]);
  const n0 = 0.5 * c0 + Math.min(v[0], best + lambda);
  const n1 = 0.5 * c1 + Math.min(v[1], best + lambda);
  const m = Math.min(n0, n1);
  v[0] = n0 - m;
  v[1] = n1 - m;
}

/** argmin of [V(bull), V(bear)]; a tie keeps the previous state, else bull. */
function pick(v: Float64Array, prev: JumpState | null): JumpState {
  if (v[0] < v[1]) return 'bull';
  if (v[1] < v[0]) return 'bear';
  return prev ?? 'bull';
}

function lastState(col: (JumpState | null)[], t: number): JumpState | null {
  for (let i = t - 1; i >= 0; i--) if (col[i] !== null) return col[i];
  return null;
}
