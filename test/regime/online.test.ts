import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeRegimeHistory } from '../../src/regime/regimeHistory.js';
import { DEFAULT_REGIME_PARAMS } from '../../src/regime/types.js';
import { syntheticMarket } from './synthetic.js';
import { expectPrefixEqual } from './prefix.js';

const market = syntheticMarket();
const full = computeRegimeHistory(market);
const cutInput = (cut: number) => ({
  dates: market.dates.slice(0, cut),
  spyClose: market.spyClose.slice(0, cut),
  vixClose: market.vixClose.slice(0, cut),
});

describe('online regime history on a synthetic market (seeded random walk with a crash)', () => {
  it('no regime before the first fit; first fit on the 1000th feature day, used that same day', () => {
    // S60 (halflife 60) is first defined on day 61, so feature day #1000 is day 61 + 999 = 1060.
    expect(full.fits[0].index).toBe(1060);
    expect(full.fits[0].trainFromIndex).toBe(61);
    expect(full.fits[0].trainDays).toBe(1000);
    for (let t = 0; t < 1060; t++) {
      expect(full.regime[t]).toBeNull();
      expect(full.allocation[t]).toBeNull();
      expect(full.reason[t]).toBe('insufficient history');
    }
    expect(full.fitIndex[1060]).toBe(0);
    expect(full.regime[1060]).not.toBeNull();
    expect(full.regime.slice(1060).every((r) => r !== null)).toBe(true);
  });

  it('refits every 126 sessions on the trailing 1000 feature days', () => {
    full.fits.forEach((f, k) => {
      expect(f.index).toBe(1060 + 126 * k);
      expect(f.trainTo).toBe(full.dates[f.index]);
      expect(f.trainFromIndex).toBe(f.index - 999);
      expect(f.bull[1]).toBeGreaterThan(f.bear[1]); // bull = higher S20 centroid
    });
    expect(full.fits.length).toBe(Math.floor((market.dates.length - 1 - 1060) / 126) + 1);
  });

  it('prefix property: history on data up to a random cut = full history truncated at the cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: market.dates.length }), (cut) => {
        expectPrefixEqual(full, computeRegimeHistory(cutInput(cut)), cut);
      }),
      { numRuns: 12 },
    );
    // the boundary cuts around the first fit and a refit
    for (const cut of [1060, 1061, 1186, 1187]) expectPrefixEqual(full, computeRegimeHistory(cutInput(cut)), cut);
  });

  it('the crash is flagged: CRASH on most crash sessions, none in the 300 calm sessions before it', () => {
    const inCrash = full.regime.slice(market.crashStart, market.crashEnd + 1).filter((r) => r === 'CRASH').length;
    expect(inCrash).toBeGreaterThanOrEqual(15);
    expect(full.modelRegime.slice(market.crashStart - 300, market.crashStart).includes('CRASH')).toBe(false);
  });

  it('allocation follows the (configurable) matrix; the VIX layer overrides only to CRASH', () => {
    const custom = computeRegimeHistory(market, { allocation: { TREND_NEUTRAL: 0.5 } });
    for (let t = 0; t < full.dates.length; t++) {
      const r = full.regime[t];
      if (r === null) continue;
      expect(full.allocation[t]).toBe(DEFAULT_REGIME_PARAMS.allocation[r]);
      expect(custom.allocation[t]).toBe(r === 'TREND_NEUTRAL' ? 0.5 : DEFAULT_REGIME_PARAMS.allocation[r]);
      expect(r).toBe(full.vixTrigger[t] ? 'CRASH' : full.modelRegime[t]);
    }
  });

  it('an infinite online switching penalty freezes the state; zero penalty switches more', () => {
    const frozen = computeRegimeHistory(market, { onlinePenalty: 1e12 });
    const states = frozen.state.slice(1060);
    expect(new Set(states).size).toBe(1);
    const switches = (s: (string | null)[]) => s.reduce((n, x, i) => n + (i > 0 && x !== null && s[i - 1] !== null && x !== s[i - 1] ? 1 : 0), 0);
    expect(switches(computeRegimeHistory(market, { onlinePenalty: 0 }).state)).toBeGreaterThan(switches(full.state));
  });

  it('rejects malformed input', () => {
    expect(() => computeRegimeHistory({ dates: ['2020-01-03', '2020-01-02'], spyClose: [1, 2], vixClose: [1, 1] })).toThrow(/ascending/);
    expect(() => computeRegimeHistory({ dates: ['2020-01-02'], spyClose: [1, 2], vixClose: [1] })).toThrow(/SPY closes/);
    expect(() => computeRegimeHistory(market, { trainWindow: 0 })).toThrow(/trainWindow/);
  });
});
