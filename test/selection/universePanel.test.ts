import { describe, expect, it } from 'vitest';
import { loadStrategyData } from '../../src/backtest/strategyData.js';
import { syntheticPanel } from '../../src/backtest/synthetic.js';
import type { DailyBar } from '../../src/data/bar.js';
import type { Panel } from '../../src/data/panel.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { scanMomentum } from '../../src/selection/momentum52w.js';
import { historyStart, loadUniversePanel } from '../../src/selection/universePanel.js';
import { staticUniverse } from '../../src/selection/universes.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

function barsOf(panel: Panel, s: number, symbol = panel.symbols[s]): { symbol: string; bars: DailyBar[] } {
  const n = panel.dates.length;
  const bars: DailyBar[] = [];
  for (let d = 0; d < n; d++) {
    const k = s * n + d;
    if (!(panel.close[k] > 0)) continue;
    bars.push({ date: panel.dates[d], open: panel.open[k], high: panel.high[k], low: panel.low[k], close: panel.close[k], adjClose: panel.adjClose[k], volume: panel.volume[k] });
  }
  return { symbol, bars };
}

/** Ten stocks from 2000 (some listed late, some delisted) and SPY from 1995, in one store. */
function market() {
  const stocks = syntheticPanel({ symbols: 10, sessions: 1600, seed: 11, gapProb: 0.002, lateListingProb: 0.3, delistProb: 0.2 });
  const spyPanel = syntheticPanel({ symbols: 1, sessions: 3000, seed: 12, startDate: '1995-01-02' });
  const store = new BarStore(openDatabase(tmp()));
  stocks.symbols.forEach((sym, s) => store.replaceBars(sym, 'csv', barsOf(stocks, s).bars));
  const spy = barsOf(spyPanel, 0, 'SPY');
  store.replaceBars('SPY', 'csv', spy.bars);
  return { stocks, store, spy: new Map(spy.bars.map((b) => [b.date, b.adjClose])) };
}

describe('loadUniversePanel and loadStrategyData', () => {
  it('keeps SPY out of the stock panel and aligns it to the stocks\' sessions', () => {
    const { stocks, store, spy } = market();
    const universe = staticUniverse('ten', stocks.symbols, 'test');
    const data = loadStrategyData(store, universe, { withRegime: false });
    expect(data.panel.symbols).toEqual(stocks.symbols);
    expect(data.panel.dates[0]).toBe(stocks.dates[0]); // not SPY's 1995
    expect(data.spy).not.toBeNull();
    expect(Array.from(data.spy!)).toEqual(data.panel.dates.map((d) => spy.get(d) ?? NaN));
    // A universe that holds SPY trades it as a stock.
    const withSpy = loadStrategyData(store, staticUniverse('eleven', [...stocks.symbols, 'SPY'], 'test'), { withRegime: false });
    expect(withSpy.panel.symbols).toContain('SPY');
    expect(withSpy.panel.dates[0] < stocks.dates[0]).toBe(true);
  });

  it('with from, loads one lookback of history before it and scans every later session as the whole history does', () => {
    const { stocks, store } = market();
    const universe = staticUniverse('ten', stocks.symbols, 'test');
    const full = loadUniversePanel(store, universe, { withVolume: true }).panel;
    const from = stocks.dates[900];
    const cut = loadUniversePanel(store, universe, { from, withVolume: true }).panel;
    expect(cut.dates[0] >= historyStart(from)).toBe(true);
    expect(cut.dates.length).toBeLessThan(full.dates.length);
    const offset = full.dates.indexOf(cut.dates[0]);
    for (let t = cut.dates.indexOf(from); t < cut.dates.length; t += 37) {
      const a = scanMomentum(cut, t, { topN: 3, volumeFilter: true });
      const b = scanMomentum(full, t + offset, { topN: 3, volumeFilter: true });
      expect(a).toEqual(b);
    }
  });

  it('latestOnly loads the history the latest scan reads, on or before to', () => {
    const { stocks, store } = market();
    const universe = staticUniverse('ten', stocks.symbols, 'test');
    const to = stocks.dates[1200];
    const full = loadUniversePanel(store, universe, { to }).panel;
    const latest = loadUniversePanel(store, universe, { to, latestOnly: true }).panel;
    expect(latest.dates.at(-1)).toBe(to);
    expect(latest.dates.length).toBeLessThan(400);
    expect(scanMomentum(latest, latest.dates.length - 1, { topN: 4 })).toEqual(scanMomentum(full, full.dates.length - 1, { topN: 4 }));
  });
});
