import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeModelHistory, parseRegimeModel, parseRegimeModelList, REGIME_MODEL_NAMES, resolveModelParams, type RegimeModelName } from '../../src/regime/models/registry.js';
import { jumpOnlineStates } from '../../src/regime/models/jumpOnline.js';
import { smaStates } from '../../src/regime/models/sma.js';
import { scaleWindow } from '../../src/regime/models/window.js';
import { computeFeatures } from '../../src/regime/features.js';
import { optimalStates } from '../../src/regime/jumpModel.js';
import { computeRegimeHistory } from '../../src/regime/regimeHistory.js';
import { REGIMES, TWO_LEVEL_ALLOCATION, type RegimeHistory } from '../../src/regime/types.js';
import { syntheticMarket } from './synthetic.js';
import { expectPrefixEqual } from './prefix.js';
import { expectSameData } from '../support/sameData.js';

const market = syntheticMarket(2600, 11, 2200, 25);
const cutInput = (cut: number) => ({ dates: market.dates.slice(0, cut), spyClose: market.spyClose.slice(0, cut), vixClose: market.vixClose.slice(0, cut) });
const full = new Map<RegimeModelName, RegimeHistory>(REGIME_MODEL_NAMES.map((m) => [m, computeModelHistory(m, market)]));

describe('regime model registry', () => {
  it('every model gives one of the four labels or null on every day, and the allocation of its map', () => {
    for (const [name, h] of full) {
      expect(h.model).toBe(name);
      expectSameData(h.dates, market.dates);
      const first = h.regime.findIndex((r) => r !== null);
      expect(first, name).toBeGreaterThan(0);
      // Days that break a rule, listed (one expect per model, not three per day).
      const wrong: string[] = [];
      for (let t = 0; t < h.dates.length; t++) {
        const r = h.regime[t];
        if (t < first && h.reason[t] !== 'insufficient history') wrong.push(`${h.dates[t]}: reason ${h.reason[t]}`);
        if (r === null) continue;
        if (!REGIMES.includes(r)) wrong.push(`${h.dates[t]}: label ${r}`);
        else if (h.allocation[t] !== h.params.allocation[r]) wrong.push(`${h.dates[t]}: allocation ${h.allocation[t]} for ${r}`);
      }
      expect(wrong, name).toEqual([]);
    }
  });

  it('prefix property (no look-ahead) for every model: the history of a prefix is the prefix of the history', () => {
    for (const name of REGIME_MODEL_NAMES) {
      const h = full.get(name)!;
      const check = (cut: number) => {
        const part = computeModelHistory(name, cutInput(cut));
        expectPrefixEqual(h, part, cut);
        expectSameData(part.votes?.slice(0, cut) ?? null, h.votes?.slice(0, cut) ?? null);
      };
      fc.assert(fc.property(fc.integer({ min: 1, max: market.dates.length }), check), { numRuns: 4 });
      // around the first fit and the first half-yearly refit / month turns
      const firstFit = h.fits[0]?.index ?? h.regime.findIndex((r) => r !== null);
      for (const cut of [firstFit, firstFit + 1, h.fits[1]?.index ?? firstFit + 2, (h.fits[1]?.index ?? firstFit + 2) + 1]) check(cut);
    }
  });

  it('seed through the registry is the unchanged model', () => {
    const a = computeRegimeHistory(market);
    const b = full.get('seed')!;
    expectSameData(b.regime, a.regime);
    expectSameData(b.fits, a.fits);
    expect(b.params.nStarts).toBe(10);
  });

  it('v2 models default to the two-level map and bear-only VIX; parameters override the model defaults', () => {
    const p = resolveModelParams('jm-online');
    expect(p.allocation).toEqual(TWO_LEVEL_ALLOCATION);
    expect(p.vixMode).toBe('bear-only');
    expect(p.windowMode).toBe('expanding');
    expect(resolveModelParams('jm-online', { allocation: { TREND_BEAR: 0.3 } }).allocation).toEqual({ ...TWO_LEVEL_ALLOCATION, TREND_BEAR: 0.3 });
    expect(resolveModelParams('seed').allocation).toEqual({ TREND_BULL: 1, TREND_NEUTRAL: 0.7, TREND_BEAR: 0.3, CRASH: 0 });
  });

  it("bear-only VIX mode: a VIX spike never makes a bull day CRASH", () => {
    for (const name of ['jm-online', 'jm-vote', 'sma200', 'sma10m'] as const) {
      const h = full.get(name)!;
      h.regime.forEach((r, t) => {
        if (r === 'CRASH') expect(h.state[t]).toBe('bear');
        if (h.state[t] === 'bull') expect(r === 'TREND_BULL' || r === 'TREND_NEUTRAL').toBe(true);
      });
    }
  });

  it('the synthetic crash is flagged CRASH by every model on most crash sessions', () => {
    for (const [name, h] of full) {
      const n = h.regime.slice(market.crashStart + 5, market.crashEnd + 1).filter((r) => r === 'CRASH').length;
      expect(n, name).toBeGreaterThanOrEqual(12);
    }
  });

  it('parses model flags with one sentence on a bad name', () => {
    expect(parseRegimeModel(undefined)).toBe('seed');
    expect(parseRegimeModel('jm-vote')).toBe('jm-vote');
    expect(() => parseRegimeModel('hmm')).toThrow(/--regime-model must be one of seed, jm-online, jm-vote, sma200, sma10m/);
    expect(parseRegimeModelList('seed, sma200')).toEqual(['seed', 'sma200']);
    expect(() => parseRegimeModelList('seed,seed')).toThrow(/twice/);
  });
});

describe('jm-online: the online step is the fitted model', () => {
  const p = resolveModelParams('jm-online');
  const f = computeFeatures(market.spyClose, p);
  const r = jumpOnlineStates(market.dates, f, p, [p.jumpPenalty]);

  it('on each fit day the state is the last state of the optimal sequence over the training window', () => {
    expect(r.fits.length).toBeGreaterThan(2);
    for (const fit of r.fits) {
      const days = Int32Array.from({ length: fit.trainDays }, (_, j) => j);
      // rebuild the training window from the feature days on or before the fit day
      const feat: number[] = [];
      for (let t = 0; t <= fit.index; t++) if (Number.isFinite(f.dd[t]) && Number.isFinite(f.s20[t]) && Number.isFinite(f.s60[t])) feat.push(t);
      const win = Int32Array.from(feat.slice(feat.length - fit.trainDays));
      expect(market.dates[win[0]]).toBe(fit.trainFrom);
      const X = new Float64Array(win.length * 3);
      scaleWindow([f.dd, f.s20, f.s60], win, p.clipSd, X);
      const C = Float64Array.from([...fit.bull, ...fit.bear]);
      const s = new Int32Array(win.length);
      optimalStates(X, win.length, 3, C, 2, fit.lambda!, s);
      expect(r.states[0][fit.index]).toBe(s[s.length - 1] === 0 ? 'bull' : 'bear');
      // row 0 (bull) earned the higher cumulative return over the training window
      const cum = [0, 0];
      win.forEach((d, j) => (cum[s[j]] += Math.log1p(f.excessReturn[d])));
      expect(cum[0]).toBeGreaterThanOrEqual(cum[1]);
      expect(days.length).toBe(fit.trainDays);
    }
  });

  it('between fits the state is the argmin of the forward DP over the window and the new days (not greedy)', () => {
    // Re-run the DP over window + new days up to t with the fit in force; its last optimal state
    // under forward values equals the online state.
    const fit = r.fits[1];
    const next = r.fits[2]?.index ?? market.dates.length;
    const feat: number[] = [];
    for (let t = 0; t < next; t++) if (Number.isFinite(f.s60[t])) feat.push(t);
    const win = feat.slice(0, feat.indexOf(fit.index) + 1);
    const scaleX = new Float64Array(win.length * 3);
    const scale = scaleWindow([f.dd, f.s20, f.s60], Int32Array.from(win), p.clipSd, scaleX);
    for (const t of [fit.index + 1, fit.index + 40, next - 1]) {
      const days = feat.filter((d) => d <= t);
      const X = Float64Array.from(days.flatMap((d) => [f.dd[d], f.s20[d], f.s60[d]].map((x, i) => (Math.min(scale.clipHi[i], Math.max(scale.clipLo[i], x)) - scale.mean[i]) / scale.std[i])));
      const C = Float64Array.from([...fit.bull, ...fit.bear]);
      // forward values only (argmin of V_t), computed independently
      let v = [0, 0];
      for (let j = 0; j < days.length; j++) {
        const c = [0, 1].map((k) => 0.5 * [0, 1, 2].reduce((s, i) => s + (X[j * 3 + i] - C[k * 3 + i]) ** 2, 0));
        const best = Math.min(v[0], v[1]);
        v = [c[0] + Math.min(v[0], best + fit.lambda!), c[1] + Math.min(v[1], best + fit.lambda!)];
      }
      expect(r.states[0][t]).toBe(v[0] <= v[1] ? 'bull' : 'bear');
    }
  });

  it('half-yearly refits on the first session of January and July; expanding window from 900 feature days', () => {
    expect(r.fits[0].trainDays).toBe(900);
    for (const fit of r.fits.slice(1)) {
      expect(['01', '07']).toContain(fit.date.slice(5, 7));
      expect(fit.date.slice(5, 7)).not.toBe(market.dates[fit.index - 1].slice(5, 7));
      expect(fit.trainFrom).toBe(r.fits[0].trainFrom);
    }
  });

  it('features are clipped at +/-3 sd of the training window before z-scoring', () => {
    const fit = r.fits[0];
    for (let i = 0; i < 3; i++) expect(fit.clipHi![i]).toBeGreaterThan(fit.clipLo![i]);
    const X = new Float64Array(fit.trainDays * 3);
    const feat: number[] = [];
    for (let t = 0; t <= fit.index; t++) if (Number.isFinite(f.s60[t])) feat.push(t);
    scaleWindow([f.dd, f.s20, f.s60], Int32Array.from(feat), 3, X);
    for (let j = 0; j < fit.trainDays; j++) for (let i = 0; i < 3; i++) expect(Math.abs(X[j * 3 + i])).toBeLessThan(8);
  });

  it('jm-vote: the vote count is the number of lambdas that say bull; bull iff at least half', () => {
    const h = full.get('jm-vote')!;
    expect(h.voters).toBe(8);
    const pv = resolveModelParams('jm-vote');
    const each = jumpOnlineStates(market.dates, computeFeatures(market.spyClose, pv), pv, pv.voteLambdas);
    h.state.forEach((s, t) => {
      if (s === null) return expect(h.votes![t]).toBeNull();
      const bull = each.states.filter((col) => col[t] === 'bull').length;
      expect(h.votes![t]).toBe(bull);
      expect(s).toBe(bull >= 4 ? 'bull' : 'bear');
    });
  });
});

describe('sma', () => {
  it('200-day: bull iff close > mean of the last N closes (day t included); undefined before N closes', () => {
    const dates = ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'];
    const s = smaStates(dates, [10, 11, 9, 12, 10], 3, 'days');
    expect(s.state).toEqual([null, null, 'bear', 'bull', 'bear']); // means 10, 10.667, 10.333
    expect(s.reason.slice(0, 2)).toEqual(['insufficient history', 'insufficient history']);
  });

  it('10-month: decided on the first session of a month from month-end closes, held through the month', () => {
    const dates = ['2020-01-30', '2020-01-31', '2020-02-03', '2020-02-28', '2020-03-02', '2020-03-31', '2020-04-01'];
    const close = [1, 10, 99, 12, 1, 5, 1];
    const s = smaStates(dates, close, 2, 'months');
    // month ends: Jan 10, Feb 12 -> on 2020-03-02: 12 > 11 bull; Mar 5 -> on 2020-04-01: 5 < 8.5 bear
    expect(s.state).toEqual([null, null, null, null, 'bull', 'bull', 'bear']);
  });
});
