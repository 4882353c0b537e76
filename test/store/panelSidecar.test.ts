/**
 * Sidecars of saved panels (src/data/store/panelSidecar.ts): the bar mask and the 52-week highs a
 * backtest computes are kept beside the saved panel and read back by the next run, which must then
 * give exactly the run without them; they belong to the panel object as loaded, and go with it.
 */
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import type { Panel } from '../../src/data/panel.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { loadPanel } from '../../src/data/store/panelLoader.js';
import { panelSidecar } from '../../src/data/store/panelSidecar.js';
import { prepareFor, runBacktest, type BacktestConfig } from '../../src/backtest/engine.js';
import { expectSameData } from '../support/sameData.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const DAY0 = 18_000;
const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
const CONFIG: BacktestConfig = { lookback: 20, topN: 3, rebalance: 'monthly', liveGates: false };

afterEach(() => {
  delete process.env.ATLAS_PANEL_CACHE;
});

/** Symbols with their own start, gaps and some bars that are not bars (a zero close). */
function storeWith(dir: string, seeds: number[]): { store: BarStore; symbols: string[] } {
  const store = new BarStore(openDatabase(dir));
  const symbols = seeds.map((_, i) => `S${i}`);
  seeds.forEach((seed, i) => {
    const bars: DailyBar[] = [];
    let px = 20 + seed % 17;
    for (let d = (seed % 40) + i; d < 260; d++) {
      if ((d * (seed + 3)) % 11 === 0) continue; // a gap
      px *= 1 + (((d * 7919 + seed * 104729) % 201) - 100) / 4000;
      const close = (d + seed) % 37 === 0 ? 0 : px;
      bars.push({ date: iso(DAY0 + d), open: px * 0.99, high: px * 1.02, low: px * 0.97, close, adjClose: px * 0.9, volume: 1e6 });
    }
    store.replaceBars(symbols[i], 'csv', bars);
  });
  return { store, symbols };
}

const sidecars = (dir: string): string[] => readdirSync(join(dir, 'cache', 'panel')).filter((n) => n.endsWith('.side')).sort();
const load = (store: BarStore, symbols: string[]): Panel => loadPanel(store.db, symbols, { cacheMinBars: 0 });
/** What a run computes from the sidecars' contents: its preparation and its equity. */
const outcome = (panel: Panel) => {
  const p = prepareFor(panel, CONFIG);
  return { bar: Array.from(p.bar), mark: Array.from(p.mark), lastBar: Array.from(p.lastBar), rankSyms: Array.from(p.rankSyms), rankDist: Array.from(p.rankDist), equity: Array.from(runBacktest(panel, null, CONFIG).equity) };
};

describe('sidecars of saved panels', () => {
  it('a run on a saved panel writes the bar mask and the 52-week highs, and the next run reads them, with the results of a run without them (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 2, maxLength: 6 }), (seeds) => {
        const dir = tmp();
        const { store, symbols } = storeWith(dir, seeds);
        process.env.ATLAS_PANEL_CACHE = 'off';
        const plain = load(store, symbols);
        expect(panelSidecar(plain)).toBeUndefined();
        const want = outcome(plain);
        delete process.env.ATLAS_PANEL_CACHE;

        const written = load(store, symbols); // SQLite, then saved
        expectSameData(outcome(written), want);
        const files = sidecars(dir);
        expect(files.map((n) => n.replace(/^[0-9a-f]{32}\./, '').replace(/-[0-9a-f]{24}\.side$/, ''))).toEqual(['bar-v1.side', 'high52-v1-20']);
        const read = load(store, symbols); // the saved file, then the sidecars
        expect(panelSidecar(read)).toBeDefined();
        expectSameData(outcome(read), want);
        expect(sidecars(dir)).toEqual(files);
        store.db.close();
      }),
      { numRuns: 12 },
    );
  });

  it('a run reads what the sidecars hold (changed 52-week highs change the ranking); a damaged one is recomputed and rewritten', () => {
    const dir = tmp();
    const { store, symbols } = storeWith(dir, [3, 14, 15, 92, 65]);
    const want = outcome(load(store, symbols));
    const high = sidecars(dir).find((n) => n.includes('.high52-'))!;
    const path = join(dir, 'cache', 'panel', high);
    const good = readFileSync(path);
    // Every saved 52-week high doubled (the header is 104 bytes): a run that reads them ranks by other distances.
    const highs = new Float64Array(new Uint8Array(good.subarray(104)).buffer);
    for (let i = 0; i < highs.length; i++) highs[i] *= 2;
    writeFileSync(path, Buffer.concat([good.subarray(0, 104), Buffer.from(highs.buffer)]));
    const tampered = outcome(load(store, symbols));
    expect(tampered.rankDist).not.toEqual(want.rankDist);
    expect(tampered.bar).toEqual(want.bar);

    writeFileSync(path, good.subarray(0, good.byteLength - 8)); // torn
    expectSameData(outcome(load(store, symbols)), want);
    expect(readFileSync(path).equals(good)).toBe(true);
    const bar = join(dir, 'cache', 'panel', sidecars(dir).find((n) => n.includes('.bar-v1'))!);
    writeFileSync(bar, Buffer.concat([Buffer.from('XXXXXXXX'), readFileSync(bar).subarray(8)])); // not ours
    expectSameData(outcome(load(store, symbols)), want);
    store.db.close();
  });

  it('belong to the panel as it was loaded: not to a copy, not after a column is replaced', () => {
    const dir = tmp();
    const { store, symbols } = storeWith(dir, [1, 2, 3]);
    const saved = load(store, symbols);
    expect(panelSidecar(saved)).toBeDefined();
    expect(panelSidecar({ ...saved })).toBeUndefined();
    saved.close = saved.close.slice();
    expect(panelSidecar(saved)).toBeUndefined();
    store.db.close();
  });

  it('go when their panel is no longer kept', () => {
    const dir = tmp();
    const { store, symbols } = storeWith(dir, [5, 6, 7, 8, 9]);
    outcome(load(store, symbols.slice(0, 2)));
    const first = sidecars(dir);
    expect(first).toHaveLength(2);
    const panels = join(dir, 'cache', 'panel');
    const old = new Date(Date.now() - 3600_000);
    for (const n of readdirSync(panels)) utimesSync(join(panels, n), old, old);
    // Three newer panels: the first is the fourth newest and goes, with its sidecars.
    for (const k of [3, 4, 5]) load(store, symbols.slice(0, k));
    expect(readdirSync(panels).filter((n) => n.endsWith('.bin'))).toHaveLength(3);
    expect(sidecars(dir)).toEqual([]);
    store.db.close();
  });
});
