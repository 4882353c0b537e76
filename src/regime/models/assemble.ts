/**
 * Turns a model's bull/bear state column into a full RegimeHistory: the four labels from the same
 * z-score rules as `seed` (bear + acute stress = CRASH; bull with S20 above its long-run mean =
 * TREND_BULL, else TREND_NEUTRAL), the VIX layer (with vixMode 'bear-only' a VIX spike turns a
 * bear day into CRASH but never overrides a bull day) and the allocation map.
 */
import { classifyDay, expandingZ } from '../classify.js';
import type { Features } from '../features.js';
import type { RegimeInput } from '../regimeHistory.js';
import type { FitRecord, JumpState, NoRegimeReason, Regime, RegimeHistory, RegimeParams } from '../types.js';
import { vixSignals } from '../vixLayer.js';

export interface ModelStates {
  state: (JumpState | null)[];
  reason: (NoRegimeReason | null)[];
  fitIndex: Int32Array;
  fits: FitRecord[];
  votes: (number | null)[] | null;
  voters: number;
}

export function assembleHistory(model: string, input: RegimeInput, p: RegimeParams, f: Features, s: ModelStates): RegimeHistory {
  const n = input.dates.length;
  const ddZ = expandingZ(f.dd, p.zMinObs);
  const s20Z = expandingZ(f.s20, p.zMinObs);
  const vix = Float64Array.from(input.vixClose);
  const vs = vixSignals(vix, p.vixJump1d, p.vixJump3d, p.vixFloor);
  const modelRegime = new Array<Regime | null>(n).fill(null);
  const regime = new Array<Regime | null>(n).fill(null);
  const allocation = new Array<number | null>(n).fill(null);
  for (let t = 0; t < n; t++) {
    const st = s.state[t];
    if (st === null) continue;
    const m = classifyDay(st, ddZ[t], s20Z[t], p);
    modelRegime[t] = m;
    const spike = vs.trigger[t] && (p.vixMode === 'override' || st === 'bear');
    const r: Regime = spike ? 'CRASH' : m;
    regime[t] = r;
    allocation[t] = p.allocation[r];
  }
  return {
    model, params: p, votes: s.votes, voters: s.voters,
    dates: input.dates.slice(), regime, reason: s.reason, state: s.state, modelRegime, allocation,
    excessReturn: f.excessReturn, dd: f.dd, s20: f.s20, s60: f.s60, ddZ, s20Z,
    vix, vixChange1d: vs.change1d, vixChange3d: vs.change3d, vixTrigger: vs.trigger,
    fitIndex: s.fitIndex, fits: s.fits,
  };
}
