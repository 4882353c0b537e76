/** The remainder sleeve in the backtest engine: hand-checkable numbers, cash vs ETF, missing history. */
import { describe, expect, it } from 'vitest';
import { panelFromBars } from '../../src/data/panel.js';
import { runBacktest, type BacktestConfig, type RegimeSeries } from '../../src/backtest/engine.js';
import { compareSleeves } from '../../src/backtest/sleeveCompare.js';

const DATES = ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08', '2020-01-09'];
const bar = (date: string, px: number) => ({ date, open: px, high: px, low: px, close: px, adjClose: px, volume: 1_000 });
/** AAA flat at 100 (always at its high, so always picked); BIL 50 until 01-07, then 51. */
function panelWith(bilFrom = 0) {
  return panelFromBars([
    { symbol: 'AAA', bars: DATES.map((d) => bar(d, 100)) },
    { symbol: 'BIL', bars: DATES.slice(bilFrom).map((d) => bar(d, d >= '2020-01-07' ? 51 : 50)) },
  ]);
}
const bear: RegimeSeries = { dates: DATES, regimes: DATES.map(() => 'TREND_BEAR') };
const universe = { name: 'one stock', symbols: ['AAA'], isMember: () => true };
const config: BacktestConfig = {
  universe, topN: 1, lookback: 2, minDistance: 0.9, from: '2020-01-06', rebalance: 'monthly', regimeMode: 'rebalance',
  fill: 'close', commissionBps: 0, slippageBps: 0, wholeShares: true, initialCash: 100_000,
};

describe('backtest with a remainder sleeve', () => {
  it('TREND_BEAR (30%): cash keeps 70% idle; a BIL sleeve buys 1,400 shares at 50 and gains $1,400 when BIL reaches 51', () => {
    const cash = runBacktest(panelWith(), bear, config);
    expect(cash.trades.map((t) => [t.symbol, t.qty])).toEqual([['AAA', 300]]);
    expect(cash.equity[cash.equity.length - 1]).toBe(100_000);
    expect(cash.sleeve.label).toBe('cash');

    const etf = runBacktest(panelWith(), bear, { ...config, sleeve: { kind: 'etf', symbol: 'BIL' } });
    expect(etf.trades.map((t) => [t.date, t.symbol, t.qty, t.price])).toEqual([['2020-01-06', 'AAA', 300, 100], ['2020-01-06', 'BIL', 1400, 50]]);
    expect(Array.from(etf.equity)).toEqual([100_000, 101_400, 101_400, 101_400]);
    expect(etf.exposure[0]).toBeCloseTo(0.3, 12);
    expect(etf.sleeveExposure[0]).toBeCloseTo(0.7, 12);
    expect(etf.sleeve).toMatchObject({ kind: 'etf', label: 'etf:BIL', countsAsCash: true, sessions: 4 });
    expect(etf.sleeve.symbols[0]).toMatchObject({ symbol: 'BIL', cashSessions: 0 });
    expect(etf.warnings.filter((w) => w.startsWith('Remainder sleeve'))).toEqual([]);
    // Gate 7 counts BIL as cash: the rebalance passes. Counted as exposure (countsAsCash false),
    // the plan is held to gate 7's cap as live trading is (orderPlan.ts capExposure): every BUY
    // scaled by 30.5% / 100% and floored (1,400 x 0.305 less the 1e-12 margin is 426.99...):
    // 91 AAA + 426 BIL = 30.40% of equity, and gate 7 passes.
    expect(etf.rebalances[0].gates![6]).toBe('PASS');
    const counted = runBacktest(panelWith(), bear, { ...config, sleeve: { kind: 'etf', symbol: 'BIL', countsAsCash: false } });
    expect(counted.trades.map((t) => [t.symbol, t.qty])).toEqual([['AAA', 91], ['BIL', 426]]);
    expect(counted.exposure[0] + counted.sleeveExposure[0]).toBeCloseTo(0.304, 12);
    expect(counted.rebalances[0].gates![6]).toBe('PASS');
    expect(counted.rebalances[0].gateReasons![6]).toMatch(/resulting exposure 30\.40%/);
  });

  it('no BIL history before 01-08: the sleeve stays cash and the run says so', () => {
    const late = runBacktest(panelWith(4), bear, { ...config, sleeve: { kind: 'etf', symbol: 'BIL' } });
    expect(late.trades.map((t) => t.symbol)).toEqual(['AAA']);
    expect(late.equity[late.equity.length - 1]).toBe(100_000);
    expect(late.sleeve.symbols[0]).toMatchObject({ symbol: 'BIL', pricedSessions: 2, cashSessions: 2, firstPriced: '2020-01-08' });
    expect(late.warnings).toContain(
      'Remainder sleeve: BIL has no price on 2 of 4 sessions (priced 2020-01-08 .. 2020-01-09); its share is held as cash on those days. Import its history (`atlas data sync --symbols BIL` or `atlas data import`) for a real result.',
    );
    const absent = runBacktest(panelFromBars([{ symbol: 'AAA', bars: DATES.map((d) => bar(d, 100)) }]), bear, { ...config, sleeve: { kind: 'etf', symbol: 'SGOV' } });
    expect(absent.warnings.some((w) => /SGOV has no price history in the store/.test(w))).toBe(true);
  });

  it('compareSleeves puts cash and the ETF side by side', () => {
    const runs = compareSleeves(panelWith(), bear, 'rebalance', config, [{ kind: 'cash' }, { kind: 'etf', symbol: 'BIL' }]);
    expect(runs.map((r) => r.sleeve)).toEqual(['cash', 'etf:BIL']);
    expect(runs.map((r) => r.finalEquity)).toEqual([100_000, 101_400]);
    expect(runs[0].averageSleeve).toBe(0);
    expect(runs[1].averageSleeve).toBeGreaterThan(0.69);
    expect(runs[1].metrics.totalReturn).toBeCloseTo(0.014, 12);
  });
});
