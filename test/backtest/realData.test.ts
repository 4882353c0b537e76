import { describe, expect, it } from 'vitest';
import { panelFromBars, type Panel } from '../../src/data/panel.js';
import { runBacktest, type BacktestConfig, type RegimeSeries } from '../../src/backtest/engine.js';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getUniverse, parseUniverseFile } from '../../src/selection/universes.js';
import type { Regime } from '../../src/portfolio/allocation.js';
import { loadRealBars, realDataDir } from '../support/realData.js';

/** A stand-in regime series (the real one is the regime engine's): SPY above / below its 200-day mean. */
function spyTrendRegimes(): RegimeSeries {
  const spy = loadRealBars('SPY');
  const dates: string[] = [];
  const regimes: (Regime | null)[] = [];
  let sum = 0;
  spy.forEach((b, i) => {
    sum += b.adjClose;
    if (i >= 200) sum -= spy[i - 200].adjClose;
    dates.push(b.date);
    regimes.push(i < 199 ? null : b.adjClose >= sum / 200 ? 'TREND_BULL' : 'TREND_BEAR');
  });
  return { dates, regimes };
}

function truncateAt(panel: Panel, lastDate: string): Panel {
  const last = panel.dates.lastIndexOf(lastDate);
  const n = panel.dates.length;
  const cut = (f: Float64Array) => {
    const out = new Float64Array((last + 1) * panel.symbols.length);
    for (let s = 0; s < panel.symbols.length; s++) out.set(f.subarray(s * n, s * n + last + 1), s * (last + 1));
    return out;
  };
  return { dates: panel.dates.slice(0, last + 1), dayNumbers: panel.dayNumbers.slice(0, last + 1), symbols: panel.symbols, open: cut(panel.open), high: cut(panel.high), low: cut(panel.low), close: cut(panel.close), adjClose: cut(panel.adjClose), volume: cut(panel.volume) };
}

describe.skipIf(!realDataDir())('backtest on real data: technology universe 2005-2020', () => {
  it('is sane, trades, and does not look ahead', () => {
    const tech = getUniverse('technology');
    const panel = panelFromBars(tech.symbols.map((symbol) => ({ symbol, bars: loadRealBars(symbol) })));
    const regimes = spyTrendRegimes();
    const cfg: BacktestConfig = { universe: tech, from: '2005-01-01', to: '2020-12-31', regimeMode: 'daily', rebalance: 'quarterly' };
    const r = runBacktest(panel, regimes, cfg);
    expect(r.dates[0]).toBe('2005-01-03');
    expect(r.dates.at(-1)).toBe('2020-12-31');
    expect(Array.from(r.equity).filter((e) => !(e > 0))).toEqual([]);
    expect(r.trades.length).toBeGreaterThan(50);
    expect(r.closedPositions.length).toBeGreaterThan(10);
    expect(r.warnings.join(' ')).toMatch(/survivorship/);
    expect(Array.from(r.cash).filter((c) => !(c >= 0))).toEqual([]);
    expect(Array.from(r.exposure).filter((x) => !(x <= 1 + 1e-9))).toEqual([]);
    const m = computeMetrics(r);
    console.log(
      `technology 2005-2020 quarterly, regime daily (SPY 200d stand-in): CAGR ${(m.cagr * 100).toFixed(2)}%, ` +
        `vol ${(m.volatility * 100).toFixed(1)}%, Sharpe ${m.sharpe.toFixed(2)}, maxDD ${(m.maxDrawdown * 100).toFixed(1)}% ` +
        `(${m.peakDate} -> ${m.troughDate}), exposure ${m.exposure.toFixed(2)}, turnover ${m.turnover.toFixed(2)}/yr, ` +
        `orders ${m.orders}, win rate ${(m.winRate * 100).toFixed(0)}%`,
    );
    expect(m.cagr).toBeGreaterThan(-0.5);
    expect(m.cagr).toBeLessThan(1);

    // No look-ahead: rerun on data that ends at the cut; every day before the cut is identical.
    // (The cut day itself may differ: a decision there has no t+1 open to execute in the truncated run.)
    const cutDate = '2012-06-29';
    const part = runBacktest(truncateAt(panel, cutDate), regimes, { ...cfg, to: cutDate });
    const k = part.dates.indexOf(cutDate);
    expect(k).toBeGreaterThan(1000);
    expect([...part.equity.subarray(0, k)]).toEqual([...r.equity.subarray(0, k)]);
    expect(part.trades.filter((t) => t.date < cutDate)).toEqual(r.trades.filter((t) => t.date < cutDate));
  });

  it('picks only point-in-time members with a membership file', () => {
    const members = parseUniverseFile(readFileSync(join(realDataDir()!, 'sp500_membership.csv'), 'utf8'), 'sp500_membership.csv');
    const have = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'AVGO', 'LLY', 'TSLA', 'JPM', 'CRM', 'NFLX', 'AMD', 'NOW', 'PANW', 'FTNT', 'CRWD', 'REGN', 'VRTX'];
    const panel = panelFromBars(have.map((symbol) => ({ symbol, bars: loadRealBars(symbol) })));
    const r = runBacktest(panel, null, { universe: members, from: '2005-01-01', to: '2020-12-31', rebalance: 'semiannual' });
    expect(r.warnings.join(' ')).not.toMatch(/survivorship/);
    expect(r.trades.length).toBeGreaterThan(20);
    for (const rb of r.rebalances) for (const c of rb.chosen) expect(members.isMember(c.symbol, rb.date)).toBe(true);
    // TSLA joined the S&P 500 on 2020-12-21 and CRWD was not a member by 2020: never picked before.
    const picked = new Set(r.rebalances.flatMap((rb) => rb.chosen.map((c) => c.symbol)));
    expect(picked.has('CRWD')).toBe(false);
    expect(picked.has('TSLA')).toBe(false);
  });
});
