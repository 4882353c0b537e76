/**
 * Parity through the strategy file (issue 9): for three strategy files and three rebalance dates,
 * the backtest's decision on date t (`atlas backtest --strategy`) and `atlas rebalance --dry-run
 * --strategy` on a store cut at t pick the same names with the same weights. Both sides run the
 * real commands in-process; the strategy reaches both through src/strategy/toRun.ts only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoMarket, type DemoMarket } from '../../src/data/demo/index.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { atlasInProcess } from '../support/cliInProcess.js';

/** First sessions of February / August: scheduled semiannual rebalances. */
const DATES = ['2010-02-01', '2011-08-01', '2012-08-01'] as const;

const STRATEGIES = {
  'min distance 0.85': { scanner: { topN: 5, minDistance: 0.85 } },
  'volume filter on': { scanner: { topN: 5, volumeFilter: true, volumeMultiplier: 1.0 } },
  'daily regime mode': { scanner: { topN: 4 }, regime: { mode: 'daily', allocation: { TREND_BULL: 1, TREND_NEUTRAL: 0.6, TREND_BEAR: 0.2, CRASH: 0 } } },
  // BULL allocates 80% so the T-bill sleeve always holds something, on every date.
  'T-bill sleeve': { scanner: { topN: 5 }, regime: { allocation: { TREND_BULL: 0.8, TREND_NEUTRAL: 0.5, TREND_BEAR: 0.2, CRASH: 0 } }, sleeve: { kind: 'etf', symbol: 'BIL' } },
} as const;

/**
 * A SIMULATED T-bill ETF for the fixture store (source 'demo', like the rest of the demo market):
 * 0.01% a session on SPY's sessions, from 2004 on, so the sleeve has real bars to trade.
 */
function simulatedBil(market: DemoMarket): DemoMarket['series'][number] {
  const spy = market.series.find((x) => x.symbol === 'SPY')!;
  const bars = spy.bars.filter((b) => b.date >= '2004-01-02').map((b, i) => {
    const px = Math.round(50 * 1.0001 ** i * 100) / 100;
    return { ...b, open: px, high: px, low: px, close: px, adjClose: px, volume: 100_000 };
  });
  return { ...spy, symbol: 'BIL', bars, actions: [] };
}

function writeStore(dir: string, market: DemoMarket, cut?: string): void {
  const db = openDatabase(dir);
  try {
    const store = new BarStore(db, () => new Date('2025-01-02T00:00:00Z'));
    for (const s of [...market.series, simulatedBil(market)]) {
      const bars = cut ? s.bars.filter((b) => b.date <= cut) : s.bars;
      const actions = (s.actions ?? []).filter((a) => !cut || a.date <= cut);
      if (bars.length) store.replaceBars(s.symbol, 'demo', bars, actions);
    }
  } finally {
    db.close();
  }
}

interface BacktestRebalance {
  date: string;
  kind: string;
  regime: string | null;
  allocation: number;
  chosen: { symbol: string }[];
  sleeve?: Record<string, number>;
}

let root = '';
const files: Record<string, string> = {};
const cutStores: Record<string, string> = {};
let fullStore = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'atlas-parity-'));
  const market = buildDemoMarket({ seed: 42, from: '2003-01-02', to: '2012-12-31' });
  fullStore = join(root, 'full');
  writeStore(fullStore, market);
  for (const d of DATES) writeStore((cutStores[d] = join(root, `cut-${d}`)), market, d);
  for (const [name, content] of Object.entries(STRATEGIES)) writeFileSync((files[name] = join(root, `${name.replace(/\W+/g, '-')}.json`)), JSON.stringify(content));
}, 120_000);
afterAll(() => root && rmSync(root, { recursive: true, force: true }));

describe('backtest decision on t == rebalance --dry-run on the store cut at t', () => {
  it.each(Object.keys(STRATEGIES))('%s', async (name) => {
    const file = files[name];
    const bt = await atlasInProcess(['--data-dir', fullStore, 'backtest', '--strategy', file, '--regime-mode', (STRATEGIES as unknown as Record<string, { regime?: { mode?: string } }>)[name].regime?.mode ?? 'rebalance', '--from', '2005-01-03', '--json']);
    expect(bt.code, bt.stderr).toBe(0);
    const run = JSON.parse(bt.stdout);
    expect(run.strategies).toHaveLength(1);
    const rebalances: BacktestRebalance[] = run.strategies[0].rebalances;
    const topN = run.strategy.settings.scanner.topN as number;
    let compared = 0;
    for (const date of DATES) {
      const decision = rebalances.find((r) => r.date === date && r.kind === 'rebalance');
      expect(decision, `${name}: a scheduled rebalance on ${date}`).toBeDefined();
      process.env.ATLAS_CLOCK = `${date}T22:00:00Z`;
      let live;
      try {
        const rb = await atlasInProcess(['--data-dir', cutStores[date], 'rebalance', '--strategy', file, '--dry-run', '--force', '--account', 'PARITY', '--json']);
        expect(rb.code, rb.stderr).toBe(0);
        live = JSON.parse(rb.stdout);
      } finally {
        delete process.env.ATLAS_CLOCK;
      }
      expect(live.strategy.hash, 'the same strategy on both sides').toBe(run.strategy.hash);
      expect(live.signal.dataDate).toBe(date);
      expect(live.signal.selected.length, `${name} on ${date}: something to compare`).toBeGreaterThan(0);
      expect(live.signal.selected, `${name} on ${date}: names`).toEqual(decision!.chosen.map((c) => c.symbol));
      expect(live.signal.regime).toBe(decision!.regime);
      expect(live.signal.allocation).toBe(decision!.allocation);
      const weights: Record<string, number> = Object.fromEntries(decision!.chosen.map((c) => [c.symbol, decision!.allocation / topN]));
      const sleeve = run.strategy.settings.sleeve as { kind: string };
      if (sleeve.kind !== 'cash') {
        // The same sleeve on both sides: BIL takes 1 - allocation plus the unfilled slots.
        expect(decision!.sleeve, `${name} on ${date}: backtest sleeve`).toBeDefined();
        expect(Object.keys(decision!.sleeve!)).toEqual(['BIL']);
        expect(decision!.sleeve!.BIL).toBeCloseTo(1 - (decision!.allocation / topN) * decision!.chosen.length, 12);
        expect(live.signal.sleeve.label).toBe('etf:BIL');
        expect(live.signal.sleeve.countsAsCash).toBe(true);
        expect(live.signal.sleeve.weights, `${name} on ${date}: sleeve`).toEqual(decision!.sleeve);
        weights.BIL = decision!.sleeve!.BIL;
        // The dry run plans a BIL buy, and gate 7 counts it as cash.
        expect(live.plan.orders.some((o: { symbol: string; side: string }) => o.symbol === 'BIL' && o.side === 'buy'), `${name} on ${date}: a BIL order`).toBe(true);
        expect(live.validation[6].result).toBe('PASS');
      } else {
        expect(decision!.sleeve).toBeUndefined();
      }
      expect(Object.keys(live.signal.targets).sort()).toEqual(Object.keys(weights).sort());
      for (const [sym, w] of Object.entries(weights)) expect(live.signal.targets[sym], `${name} on ${date}: weight of ${sym}`).toBeCloseTo(w, 12);
      compared++;
    }
    expect(compared).toBe(DATES.length);
  }, 180_000);

});
