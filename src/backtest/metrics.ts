/**
 * Performance metrics of a backtest. The pure curve metrics live in src/analytics/metrics.ts (so
 * the regime layer can use them too) and are re-exported here; formulas in docs/metrics.md.
 */
import type { Regime } from '../portfolio/allocation.js';
import { annualTurnover, annualVolatility, cagr, calmarRatio, dailyReturns, maxDrawdown, mean, sharpeRatio, sortinoRatio, totalReturn } from '../analytics/metrics.js';

export {
  TRADING_DAYS, DAYS_PER_YEAR, dailyReturns, mean, sampleStd, totalReturn, calendarYears, cagr, annualVolatility,
  sharpeRatio, sortinoRatio, maxDrawdown, calmarRatio, annualTurnover, type Drawdown,
} from '../analytics/metrics.js';

export interface RegimeStat {
  regime: Regime | 'NONE';
  days: number;
  /** prod(1 + r_i) - 1 over the days attributed to the regime. */
  compoundedReturn: number;
}

/**
 * Day i's return (close i-1 -> close i) belongs to the regime applied at the close of day i-1:
 * that decision set the book held through day i. 'NONE' collects days with no regime.
 */
export function perRegimeReturns(equity: ArrayLike<number>, regimes: readonly (Regime | null)[]): RegimeStat[] {
  const acc = new Map<Regime | 'NONE', { days: number; growth: number }>();
  for (let i = 1; i < equity.length; i++) {
    const key = regimes[i - 1] ?? 'NONE';
    const a = acc.get(key) ?? { days: 0, growth: 1 };
    a.days++;
    a.growth *= equity[i] / equity[i - 1];
    acc.set(key, a);
  }
  const order: (Regime | 'NONE')[] = ['TREND_BULL', 'TREND_NEUTRAL', 'TREND_BEAR', 'CRASH', 'NONE'];
  return order.filter((k) => acc.has(k)).map((k) => ({ regime: k, days: acc.get(k)!.days, compoundedReturn: acc.get(k)!.growth - 1 }));
}

export interface MetricsInput {
  dates: readonly string[];
  equity: ArrayLike<number>;
  exposure?: ArrayLike<number>;
  trades?: readonly { notional: number }[];
  closedPositions?: readonly { pnl: number }[];
  regime?: readonly (Regime | null)[];
  /** Counts a run without trade records kept (runBacktestLean): used instead of trades / closedPositions. */
  totals?: { orders: number; tradedNotional: number; closedPositions: number; wins: number };
}

export interface BacktestMetrics {
  startDate: string;
  endDate: string;
  sessions: number;
  totalReturn: number;
  cagr: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  maxDrawdown: number;
  peakDate: string | null;
  troughDate: string | null;
  recoveryDate: string | null;
  calmar: number;
  exposure: number;
  turnover: number;
  orders: number;
  closedPositions: number;
  winRate: number;
  perRegime: RegimeStat[];
}

export function computeMetrics(input: MetricsInput, options: { rfAnnual?: number } = {}): BacktestMetrics {
  const { dates, equity } = input;
  const first = dates[0];
  const last = dates[dates.length - 1];
  const r = dailyReturns(equity);
  const c = cagr(equity, first, last);
  const dd = maxDrawdown(equity, dates);
  const trades = input.trades ?? [];
  let traded = 0;
  for (const t of trades) traded += Math.abs(t.notional);
  const closed = input.closedPositions ?? [];
  let wins = closed.filter((p) => p.pnl > 0).length;
  let orders = trades.length;
  let closedCount = closed.length;
  if (input.totals) {
    ({ orders, wins, closedPositions: closedCount } = input.totals);
    traded = input.totals.tradedNotional;
  }
  return {
    startDate: first,
    endDate: last,
    sessions: equity.length,
    totalReturn: totalReturn(equity),
    cagr: c,
    volatility: annualVolatility(r),
    sharpe: sharpeRatio(r, options.rfAnnual ?? 0),
    sortino: sortinoRatio(r, options.rfAnnual ?? 0),
    maxDrawdown: dd.maxDrawdown,
    peakDate: dd.peakDate,
    troughDate: dd.troughDate,
    recoveryDate: dd.recoveryDate,
    calmar: calmarRatio(c, dd.maxDrawdown),
    exposure: input.exposure ? mean(input.exposure) : NaN,
    turnover: annualTurnover(traded, equity, first, last),
    orders,
    closedPositions: closedCount,
    winRate: closedCount > 0 ? wins / closedCount : NaN,
    perRegime: input.regime ? perRegimeReturns(equity, input.regime) : [],
  };
}
