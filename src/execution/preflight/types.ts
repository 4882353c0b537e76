/**
 * @module Input and output of the pre-flight checks: what must hold about the account and the data
 * before the seven gates look at the orders. Plain data: the caller reads the broker, the store and
 * the clock, and passes the results in, so every check is a pure function.
 */
import type { Account, LatestTrade } from '../brokers/broker.js';

export type PreflightVerdict = 'PASS' | 'WARN' | 'FAIL';

export interface PreflightResult {
  /** 1..5, printed as P1..P5 so they are never confused with the gates' numbers. */
  check: number;
  name: string;
  result: PreflightVerdict;
  /** One line with the numbers behind the verdict. */
  reason: string;
}

export interface PreflightOrder {
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
}

export interface PreflightOptions {
  /** Stale data WARNs instead of FAILing (--allow-stale). */
  allowStale: boolean;
  /** Largest accepted |broker latest trade / store close - 1| (0.10 = 10%). */
  priceBand: number;
  /** Size a margin account's buys from its buying power instead of its cash. */
  useMargin: boolean;
  /** Symbols whose data must be fresh besides the traded ones (the regime's inputs). */
  benchmarks: readonly string[];
  /** FINRA's pattern-day-trader equity floor. */
  pdtEquityThreshold: number;
  /** Day trades allowed in five sessions below the floor (the next one flags the account). */
  pdtMaxDayTrades: number;
}

export const DEFAULT_PREFLIGHT_OPTIONS: Readonly<PreflightOptions> = {
  allowStale: false,
  priceBand: 0.1,
  useMargin: false,
  benchmarks: ['SPY', 'VIX'],
  pdtEquityThreshold: 25_000,
  pdtMaxDayTrades: 3,
};

export interface PreflightInput {
  account: Account;
  /** The planned batch (both legs). */
  orders: readonly PreflightOrder[];
  /** The Clock's time. */
  now: Date;
  /** The store's last bar date (YYYY-MM-DD) per symbol; absent = no bars. */
  lastBarDates: ReadonlyMap<string, string>;
  /** The store's last raw close per symbol. */
  lastCloses: ReadonlyMap<string, number>;
  /** The broker's latest trade per symbol; undefined when the broker cannot give them. */
  latestTrades: ReadonlyMap<string, LatestTrade> | undefined;
  /** Shares of each symbol bought (filled) today, New York date. */
  boughtToday: ReadonlyMap<string, number>;
  options?: Partial<PreflightOptions>;
}

export type PreflightCheck = (input: PreflightInput, options: PreflightOptions) => PreflightResult;
