import { describe, expect, it } from 'vitest';
import { gridVariants, parseStrategyGrid } from '../../src/strategy/grid.js';
import { defaultStrategy, parseStrategyText, renderStrategyFile } from '../../src/strategy/index.js';
import { backtestConfigOf, signalRequestOf, sweepPointOf } from '../../src/backtest/fromStrategy.js';
import { getUniverse } from '../../src/selection/universes.js';

describe('strategy grid', () => {
  it('varies scanner, rebalance and regime fields; every variant is a full strategy whose saved file has the same hash', () => {
    const base = defaultStrategy().strategy;
    const axes = parseStrategyGrid({ topN: [5, 10], 'scanner.volumeFilter': [false, true], lookback: 126, regimeMode: ['rebalance', 'daily'], allocation: ['1,0.5,0.2,0'] });
    const variants = gridVariants(base, axes);
    expect(variants).toHaveLength(8);
    expect(new Set(variants.map((v) => v.hash)).size).toBe(8);
    for (const v of variants) {
      expect(v.strategy.scanner.lookback).toBe(126);
      expect(v.strategy.regime.allocation).toEqual({ TREND_BULL: 1, TREND_NEUTRAL: 0.5, TREND_BEAR: 0.2, CRASH: 0 });
      expect(parseStrategyText(renderStrategyFile(v.strategy, ['saved']), 'x').hash).toBe(v.hash);
      const p = sweepPointOf(v.strategy);
      expect({ ...p, ...p.config, config: undefined }).toMatchObject({ topN: v.values.topN, volumeFilter: v.values.volumeFilter, lookback: 126, regimeMode: v.values.regimeMode });
    }
  });

  it('varies the regime model: each variant names its model, and its sweep point runs on that model\'s series', () => {
    const variants = gridVariants(defaultStrategy().strategy, parseStrategyGrid({ 'regime.model': ['sma10m', 'jm-online'], topN: [5, 10] }));
    expect(variants.map((v) => v.strategy.regime.model)).toEqual(['sma10m', 'sma10m', 'jm-online', 'jm-online']);
    expect(variants.map((v) => sweepPointOf(v.strategy).regimeModel)).toEqual(['sma10m', 'sma10m', 'jm-online', 'jm-online']);
    expect(new Set(variants.map((v) => v.hash)).size).toBe(4);
  });

  it('refuses unknown keys, regime parameters and bad values in one sentence', () => {
    expect(() => parseStrategyGrid({ topN: [0] })).toThrow(/"topN" must be a non-empty list of whole numbers >= 1/);
    expect(() => parseStrategyGrid({ regimeParams: [{}] })).toThrow(/unknown key "regimeParams" \(a sweep runs one regime parameter set/);
    expect(() => parseStrategyGrid({ 'regime.model': ['hmm'] })).toThrow(/"regime\.model" must be a non-empty list of regime model names \(seed, jm-online/);
    expect(() => parseStrategyGrid({ allocation: ['1,2'] })).toThrow(/"allocation" must be a non-empty list of allocations/);
    expect(() => gridVariants(defaultStrategy().strategy, parseStrategyGrid({ allocation: ['1,1,1,2'] }))).toThrow(/regime\.allocation\.CRASH/);
  });
});

describe('one mapping for backtest and live', () => {
  it('backtest config and signal request carry the same scanner, allocation and costs', () => {
    const s = parseStrategyText('{"scanner":{"topN":4,"minDistance":0.85,"volumeFilter":true,"lookback":200},"regime":{"mode":"off","params":{"vixFloor":null}},"minNotional":25}', 'x').strategy;
    const bt = backtestConfigOf(s);
    const live = signalRequestOf(s, getUniverse('technology'));
    expect(live.topN).toBe(bt.topN);
    expect(live.momentum).toEqual({ minDistance: bt.minDistance, lookback: bt.lookback, volumeFilter: bt.volumeFilter, volumeMultiplier: bt.volumeMultiplier, volumeWindow: bt.volumeWindow });
    expect(live.regimeParams).toEqual({ vixFloor: null });
    // Mode off: the backtest allocates fully whatever the regime, and so does the live plan.
    expect(Object.values(live.allocationMatrix!)).toEqual([1, 1, 1, 1]);
    expect(bt).toMatchObject({ regimeMode: 'off', minNotional: 25, wholeShares: true });
  });

  it('maps the remainder sleeve to the backtest and live alike; refuses what is not valid', () => {
    const etf = parseStrategyText('{"sleeve":{"kind":"etf","symbol":"sgov"}}', 'x').strategy;
    expect(backtestConfigOf(etf).sleeve).toEqual({ kind: 'etf', symbol: 'SGOV' });
    expect(signalRequestOf(etf, getUniverse('technology')).sleeve).toEqual({ kind: 'etf', symbol: 'SGOV' });
    const defensive = parseStrategyText('{"sleeve":{"kind":"defensive","symbols":["XLP","XLU"],"countsAsCash":true}}', 'x').strategy;
    expect(backtestConfigOf(defensive).sleeve).toEqual({ kind: 'defensive', symbols: ['XLP', 'XLU'], countsAsCash: true });
    // Every model of the registry runs, live as in the backtest.
    const model = parseStrategyText('{"regime":{"model":"sma200"}}', 'x').strategy;
    expect(signalRequestOf(model, getUniverse('technology')).regimeModel).toBe('sma200');
    const bad = parseStrategyText('{"regime":{"params":{"lambda":3}}}', 'x').strategy;
    expect(() => signalRequestOf(bad, getUniverse('technology'))).toThrow(/^regime\.params: unknown parameter "lambda"/);
  });
});

describe('membership renames', () => {
  it('a renamed ticker is a member whenever its old name was (FB -> META)', async () => {
    const { withRenames } = await import('../../src/strategy/universe.js');
    const { parseUniverseFile } = await import('../../src/selection/universes.js');
    const u = withRenames(parseUniverseFile('ticker,start_date,end_date\nFB,2013-12-23,2022-06-08\nMETA,2022-06-09,\nAAPL,1982-11-30,\n', 'm.csv'), { FB: 'META' });
    expect(u.symbols).toEqual(['AAPL', 'META']);
    expect(u.isMember('META', '2015-01-02')).toBe(true);
    expect(u.isMember('META', '2023-01-03')).toBe(true);
    expect(u.isMember('META', '2012-01-03')).toBe(false);
  });
});
