import { classifyDay, expandingZ } from './classify.js';
import { computeFeatures } from './features.js';
import { onlineStates } from './onlineClassifier.js';
import { type Regime, type RegimeHistory, type RegimeParamsInput, resolveParams } from './types.js';
import { vixSignals } from './vixLayer.js';

export interface RegimeInput {
  /** SPY session dates, strictly ascending ISO YYYY-MM-DD. */
  dates: readonly string[];
  /** SPY adjusted close, aligned with dates, all > 0. */
  spyClose: Float64Array | readonly number[];
  /** VIX close aligned with dates (see alignVix); NaN allowed (no VIX signal that day). */
  vixClose: Float64Array | readonly number[];
}

/**
 * Full regime history, computed online: every column at day t depends on inputs at days <= t
 * only, so the history of a prefix of the input equals the prefix of the history.
 */
export function computeRegimeHistory(input: RegimeInput, params?: RegimeParamsInput): RegimeHistory {
  const p = resolveParams(params);
  const { dates, spyClose, vixClose } = input;
  const n = dates.length;
  if (spyClose.length !== n || vixClose.length !== n) {
    throw new RangeError(`computeRegimeHistory: ${n} dates but ${spyClose.length} SPY closes and ${vixClose.length} VIX closes`);
  }
  for (let t = 1; t < n; t++) {
    if (!(dates[t] > dates[t - 1])) throw new RangeError(`computeRegimeHistory: dates not strictly ascending at ${t} (${dates[t - 1]}, ${dates[t]})`);
  }
  const f = computeFeatures(spyClose, p);
  const ddZ = expandingZ(f.dd, p.zMinObs);
  const s20Z = expandingZ(f.s20, p.zMinObs);
  const online = onlineStates(dates, f.dd, f.s20, f.s60, p);
  const vix = Float64Array.from(vixClose);
  const vs = vixSignals(vix, p.vixJump1d, p.vixJump3d, p.vixFloor);

  const modelRegime: (Regime | null)[] = new Array<Regime | null>(n).fill(null);
  const regime: (Regime | null)[] = new Array<Regime | null>(n).fill(null);
  const allocation: (number | null)[] = new Array<number | null>(n).fill(null);
  for (let t = 0; t < n; t++) {
    const s = online.state[t];
    if (s === null) continue;
    const m = classifyDay(s, ddZ[t], s20Z[t], p);
    modelRegime[t] = m;
    const r: Regime = vs.trigger[t] ? 'CRASH' : m;
    regime[t] = r;
    allocation[t] = p.allocation[r];
  }
  return {
    model: 'seed',
    params: p,
    votes: null,
    voters: 1,
    dates: dates.slice(),
    regime,
    reason: online.reason,
    state: online.state,
    modelRegime,
    allocation,
    excessReturn: f.excessReturn,
    dd: f.dd,
    s20: f.s20,
    s60: f.s60,
    ddZ,
    s20Z,
    vix,
    vixChange1d: vs.change1d,
    vixChange3d: vs.change3d,
    vixTrigger: vs.trigger,
    fitIndex: online.fitIndex,
    fits: online.fits,
  };
}
