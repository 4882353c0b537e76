import type { JumpState, NoRegimeReason, Regime, RegimeHistory } from './types.js';

export interface ThresholdCheck {
  value: number;
  threshold: number;
  /** 'gt' = passes when value > threshold, 'lt' = passes when value < threshold. */
  direction: 'gt' | 'lt';
  passed: boolean;
}

export interface DayExplanation {
  /** The data date: the last session whose data the regime uses (the day itself). */
  date: string;
  index: number;
  regime: Regime | null;
  reason: NoRegimeReason | null;
  modelRegime: Regime | null;
  allocation: number | null;
  state: JumpState | null;
  /** Fit in force: its date, training window and centroids (z units). */
  fit: { date: string; trainFrom: string; trainTo: string; bull: number[]; bear: number[] } | null;
  /** Raw features and their z-scores in the current fit's units, and squared distances to each centroid. */
  features: { dd: number; s20: number; s60: number; fitZ: number[] | null; costBull: number | null; costBear: number | null };
  /** Expanding-window z-scores vs the regime-rule thresholds. */
  rules: { ddZ: ThresholdCheck; s20ZCrash: ThresholdCheck; s20ZBull: ThresholdCheck };
  vix: { close: number; change1d: ThresholdCheck; change3d: ThresholdCheck; floor: number | null; trigger: boolean };
  /** One sentence. */
  summary: string;
}

const check = (value: number, threshold: number, direction: 'gt' | 'lt'): ThresholdCheck => ({
  value,
  threshold,
  direction,
  passed: direction === 'gt' ? value > threshold : value < threshold,
});

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

/** A structured "why" for day `index` of a history. */
export function explainDay(history: Readonly<RegimeHistory>, index: number): DayExplanation {
  if (!Number.isInteger(index) || index < 0 || index >= history.dates.length) {
    throw new RangeError(`explainDay: index ${index} outside 0..${history.dates.length - 1}`);
  }
  const p = history.params;
  const i = index;
  const fi = history.fitIndex[i];
  const fit = fi >= 0 ? history.fits[fi] : null;
  const raw = [history.dd[i], history.s20[i], history.s60[i]];
  let fitZ: number[] | null = null;
  let costBull: number | null = null;
  let costBear: number | null = null;
  if (fit && raw.every(Number.isFinite)) {
    fitZ = raw.map((x, k) => (x - fit.mean[k]) / fit.std[k]);
    costBull = 0.5 * fitZ.reduce((s, z, k) => s + (z - fit.bull[k]) ** 2, 0);
    costBear = 0.5 * fitZ.reduce((s, z, k) => s + (z - fit.bear[k]) ** 2, 0);
  }
  const rules = {
    ddZ: check(history.ddZ[i], p.crashDdZ, 'gt'),
    s20ZCrash: check(history.s20Z[i], p.crashS20Z, 'lt'),
    s20ZBull: check(history.s20Z[i], p.bullS20Z, 'gt'),
  };
  const vix = {
    close: history.vix[i],
    change1d: check(history.vixChange1d[i], p.vixJump1d, 'gt'),
    change3d: check(history.vixChange3d[i], p.vixJump3d, 'gt'),
    floor: p.vixFloor,
    trigger: history.vixTrigger[i],
  };
  const regime = history.regime[i];
  const state = history.state[i];
  let summary: string;
  if (regime === null) {
    summary = `${history.dates[i]}: no regime (${history.reason[i] ?? 'unknown'}).`;
  } else {
    const parts = [`${history.dates[i]}: ${regime} (allocation ${history.allocation[i]})`, `jump-model state ${state}`];
    parts.push(`ddZ ${f2(rules.ddZ.value)} vs > ${p.crashDdZ}, s20Z ${f2(rules.s20ZCrash.value)} vs < ${p.crashS20Z} / > ${p.bullS20Z}`);
    parts.push(`model regime ${history.modelRegime[i]}`);
    parts.push(`VIX ${f2(vix.close)}: 1d ${pct(vix.change1d.value)} vs > ${pct(p.vixJump1d)}, 3d ${pct(vix.change3d.value)} vs > ${pct(p.vixJump3d)}${p.vixFloor !== null ? `, floor ${p.vixFloor}` : ''}${vix.trigger ? ' -> VIX CRASH trigger' : ''}`);
    summary = parts.join('; ') + '.';
  }
  return {
    date: history.dates[i],
    index: i,
    regime,
    reason: history.reason[i],
    modelRegime: history.modelRegime[i],
    allocation: history.allocation[i],
    state,
    fit: fit ? { date: fit.date, trainFrom: fit.trainFrom, trainTo: fit.trainTo, bull: [...fit.bull], bear: [...fit.bear] } : null,
    features: { dd: raw[0], s20: raw[1], s60: raw[2], fitZ, costBull, costBear },
    rules,
    vix,
    summary,
  };
}
