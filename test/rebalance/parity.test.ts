import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine.js';
import { loadStrategyData } from '../../src/backtest/strategyData.js';
import { buildDemoMarket } from '../../src/data/demo/market.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { computeSignal } from '../../src/execution/rebalance/signal.js';
import { getUniverse } from '../../src/selection/universes.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const dirs: string[] = [];

/**
 * The point of the design: on the same data and date, a backtest rebalance and a live rebalance
 * choose the same stocks with the same target weights (the live side reads the store as it
 * would on that evening; the backtest reads the whole history but may not look past the date).
 */
describe('backtest and live rebalance agree', () => {
  // One market and one full-history backtest for the three dates: both are deterministic, and
  // building them takes seconds.
  let market: ReturnType<typeof buildDemoMarket>;
  let result: ReturnType<typeof runBacktest>;
  const universe = getUniverse('technology');
  beforeAll(() => {
    market = buildDemoMarket();
    // Backtest: the full history, regime at rebalances, semiannual schedule hits each date.
    const dir = mkdtempSync(join(tmpdir(), 'atlas-parity-'));
    dirs.push(dir);
    const full = new BarStore(openDatabase(dir));
    for (const s of market.series) full.replaceBars(s.symbol, 'demo', s.bars);
    const data = loadStrategyData(full, universe);
    result = runBacktest(data.panel, data.regimes, { universe, topN: 5, regimeMode: 'rebalance', from: '2005-01-03' });
  }, 60_000);
  afterAll(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it.each(['2016-08-01', '2021-02-01', '2024-08-01'])('on the demo market at the %s rebalance', (date) => {
    // Live: a store that ends on the rebalance date, as it would that evening.
    const live = new BarStore(openDatabase(tmp()));
    for (const s of market.series) {
      const bars = s.bars.filter((b) => b.date <= date);
      if (bars.length) live.replaceBars(s.symbol, 'demo', bars);
    }
    const signal = computeSignal(live, { universe, topN: 5 });
    expect(signal.dataDate).toBe(date);

    const rb = result.rebalances.find((r) => r.date === date && r.kind === 'rebalance');
    expect(rb, `a scheduled rebalance on ${date}`).toBeDefined();

    expect(rb!.chosen.map((c) => c.symbol)).toEqual(signal.selected);
    expect(rb!.regime).toBe(signal.regime);
    expect(rb!.allocation).toBe(signal.allocation);
    for (const sym of signal.selected) expect(signal.targets[sym]).toBeCloseTo(rb!.allocation / 5, 12);
  }, 60_000);
});
