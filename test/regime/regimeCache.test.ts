import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemoMarket } from '../../src/data/demo/market.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { regimeFromStore } from '../../src/regime/fromStore.js';
import { regimeCacheDir, regimeCodeFiles, regimeCodeHash, regimeSeriesFromStore } from '../../src/regime/regimeCache.js';
import { useTempDirs } from '../support/tmp.js';
import { expectSameData } from '../support/sameData.js';

const tmp = useTempDirs();

describe('regime series cache', () => {
  it('gives the computed series, reuses it for the same inputs and misses when the data or the model change', () => {
    const market = buildDemoMarket();
    const dir = tmp();
    const store = new BarStore(openDatabase(dir));
    for (const s of market.series.filter((x) => x.symbol === 'SPY' || x.symbol === 'VIX')) store.replaceBars(s.symbol, 'demo', s.bars);
    const cacheDir = regimeCacheDir(store)!;
    expect(cacheDir.startsWith(dir)).toBe(true);

    const { history } = regimeFromStore(store, { model: 'sma200' });
    const first = regimeSeriesFromStore(store, { model: 'sma200' });
    expectSameData(first, { dates: history.dates, regimes: history.regime });
    const files = readdirSync(cacheDir);
    expect(files).toHaveLength(1);

    // A second read comes from the file: make the file say something else and see it returned.
    const file = join(cacheDir, files[0]);
    const flipped = first.regimes.map((r) => (r === null ? null : 'CRASH'));
    writeFileSync(file, JSON.stringify({ regimes: flipped }));
    expectSameData(regimeSeriesFromStore(store, { model: 'sma200' }).regimes, flipped);

    // A damaged file is ignored, never trusted.
    writeFileSync(file, '{"regimes": ["BOOM"]}');
    expectSameData(regimeSeriesFromStore(store, { model: 'sma200' }), first);

    // Other inputs, other keys: an earlier `to`, other parameters, another model.
    const to = history.dates[history.dates.length - 300];
    expect(regimeSeriesFromStore(store, { model: 'sma200', to }).dates.at(-1)).toBe(to);
    regimeSeriesFromStore(store, { model: 'sma200', params: { smaLength: 150 } });
    regimeSeriesFromStore(store, { model: 'sma10m' });
    expect(readdirSync(cacheDir)).toHaveLength(4);
  });

  it('is off with ATLAS_REGIME_CACHE=off', () => {
    const store = new BarStore(openDatabase(tmp()));
    const before = process.env.ATLAS_REGIME_CACHE;
    process.env.ATLAS_REGIME_CACHE = 'off';
    try {
      expect(regimeCacheDir(store)).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.ATLAS_REGIME_CACHE;
      else process.env.ATLAS_REGIME_CACHE = before;
    }
    expect(regimeCacheDir(store)).toBeDefined();
  });

  it('keys files by the regime and analytics code as it runs: every model module is in the hash', () => {
    const h = regimeCodeHash();
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(regimeCodeHash()).toBe(h);
    const names = regimeCodeFiles().map((f) => f.name.replace(/\.(ts|js)$/, ''));
    expect(names).toEqual(expect.arrayContaining(['regime/regimeCache', 'regime/models/registry', 'analytics/metrics']));
    expect(names.filter((n) => n.startsWith('regime/models/')).length).toBeGreaterThanOrEqual(4);
  });
});
