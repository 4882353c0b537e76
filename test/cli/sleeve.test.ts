/** `atlas backtest` and `atlas rebalance --dry-run` with a remainder sleeve, through the real command parser. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoMarket } from '../../src/data/demo/index.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { atlasInProcess } from '../support/cliInProcess.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-sleeve-cli-'));
  const market = buildDemoMarket({ seed: 7, from: '2003-01-02', to: '2008-12-31' });
  const db = openDatabase(dir);
  try {
    const store = new BarStore(db, () => new Date('2025-01-02T00:00:00Z'));
    for (const s of market.series) store.replaceBars(s.symbol, 'demo', s.bars, s.actions ?? []);
    // A SIMULATED T-bill ETF whose history starts in 2006: the first years of a 2005 run have none.
    const spy = market.series.find((s) => s.symbol === 'SPY')!;
    const bil = spy.bars.filter((b) => b.date >= '2006-01-03').map((b, i) => ({ ...b, open: 50 + i * 0.005, high: 50 + i * 0.005, low: 50 + i * 0.005, close: 50 + i * 0.005, adjClose: 50 + i * 0.005 }));
    store.replaceBars('BIL', 'demo', bil, []);
  } finally {
    db.close();
  }
}, 60_000);
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('remainder sleeve on the command line', () => {
  it('backtest --sleeve etf:BIL --compare-sleeves: cash vs BIL side by side, and a warning for the years without BIL history', async () => {
    const r = await atlasInProcess(['--data-dir', dir, 'backtest', '--sleeve', 'etf:BIL', '--regime-mode', 'rebalance', '--from', '2005-01-03', '--compare-sleeves']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Remainder sleeve compared \(regime-rebalance\):/);
    expect(r.stdout).toMatch(/│ sleeve cash │ sleeve etf:BIL │/);
    expect(r.stderr).toMatch(/^warning: Remainder sleeve: BIL has no price on \d+ of \d+ sessions \(priced 2006-01-03 \.\. 2008-12-31\); its share is held as cash on those days/m);

    const j = await atlasInProcess(['--data-dir', dir, 'backtest', '--sleeve', 'etf:BIL', '--regime-mode', 'rebalance', '--from', '2005-01-03', '--compare-sleeves', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out.settings.sleeve).toBe('etf:BIL (counts as cash for gate 7)');
    const sleeve = out.strategies[0].sleeve;
    expect(sleeve).toMatchObject({ kind: 'etf', label: 'etf:BIL', countsAsCash: true });
    expect(sleeve.symbols[0].firstPriced).toBe('2006-01-03');
    expect(sleeve.symbols[0].cashSessions).toBeGreaterThan(200);
    expect(out.strategies[0].warnings.some((w: string) => w.startsWith('Remainder sleeve: BIL has no price'))).toBe(true);
    expect(out.sleeveComparison.map((s: { sleeve: string }) => s.sleeve)).toEqual(['cash', 'etf:BIL']);
    expect(out.sleeveComparison[0].averageSleeve).toBe(0);
    expect(out.sleeveComparison[1].averageSleeve).toBeGreaterThan(0);
    // The BIL run's rebalances after 2006 buy BIL; before, the sleeve stays cash.
    const rebs = out.strategies[0].rebalances as { date: string; sleeve?: Record<string, number> }[];
    expect(rebs.filter((b) => b.date < '2006-01-03').every((b) => b.sleeve && Object.keys(b.sleeve).length === 0)).toBe(true);
    expect(rebs.some((b) => b.date >= '2006-01-03' && (b.sleeve?.BIL ?? 0) > 0)).toBe(true);
  }, 120_000);

  it('rebalance --dry-run shows the sleeve line', async () => {
    process.env.ATLAS_CLOCK = '2008-12-31T22:00:00Z';
    try {
      const r = await atlasInProcess(['--data-dir', dir, 'rebalance', '--sleeve', 'etf:BIL', '--allocation', '0.5,0.5,0.5,0', '--dry-run', '--force', '--account', 'SLEEVE']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/sleeve etf:BIL \(counts as cash for gate 7\)/);
      expect(r.stdout).toMatch(/^Remainder sleeve: etf:BIL \d+\.\d\d% \(BIL \d+\.\d\d%\), counts as cash for gate 7; cash 0\.00%$/m);
      expect(r.stdout).toMatch(/BUY[\s│]+\d+[\s│]+BIL/);
    } finally {
      delete process.env.ATLAS_CLOCK;
    }
  }, 120_000);

  it('sweep --sleeve etf:BIL holds the sleeve like the backtest does (same figures), and unlike cash', async () => {
    const grid = join(dir, 'sleeve-grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [3, 5] }));
    const common = ['--regime-mode', 'rebalance', '--from', '2006-01-03', '--top-n', '3'];
    const sweep = async (sleeve: string) => {
      const r = await atlasInProcess(['--data-dir', dir, 'sweep', '--grid', grid, '--sleeve', sleeve, ...common, '--workers', '0', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { results: { topN: number; metrics: { cagr: number; sharpe: number } }[] };
      return out.results.find((x) => x.topN === 3)!.metrics;
    };
    const bil = await sweep('etf:BIL');
    const cash = await sweep('cash');
    expect(bil.cagr).not.toBeCloseTo(cash.cagr, 6);
    const bt = await atlasInProcess(['--data-dir', dir, 'backtest', '--sleeve', 'etf:BIL', ...common, '--json']);
    expect(bt.code, bt.stderr).toBe(0);
    const s = (JSON.parse(bt.stdout) as { strategies: { name: string; metrics: { cagr: number; sharpe: number } }[] }).strategies;
    const applied = s.find((x) => x.name !== 'baseline') ?? s[0];
    expect(bil.cagr).toBeCloseTo(applied.metrics.cagr, 9);
    expect(bil.sharpe).toBeCloseTo(applied.metrics.sharpe, 9);
  }, 120_000);
});

