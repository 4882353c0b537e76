/**
 * @module Sanity rules a daily bar must pass to be imported. One bad row (a bar dated 2099, a zero
 * price, a high below the low) poisons everything downstream: a future bar makes every symbol
 * look inactive to the paper broker, a zero close divides by zero in returns. Pure.
 *
 * Tolerance for "open or close outside [low, high]": a price may lie beyond the range by up to
 * the larger of one cent and 0.5 % of the bound it crosses. Vendors round open/high/low/close
 * independently (to cents, or to 4 decimals after a split adjustment), which can put the open a
 * hair above the high; 0.5 % is far below any real error (a misplaced decimal, a swapped column)
 * and above any rounding seen in practice. high < low has no tolerance: no rounding makes the
 * high of a day lower than its low.
 */
import type { DailyBar } from '../bar.js';

/** Absolute part of the open/close range tolerance, in price units (one cent). */
export const OHLC_TOLERANCE_ABS = 0.01;
/** Relative part of the open/close range tolerance (0.5 % of the bound crossed). */
export const OHLC_TOLERANCE_REL = 0.005;

function slack(bound: number): number {
  return Math.max(OHLC_TOLERANCE_ABS, Math.abs(bound) * OHLC_TOLERANCE_REL);
}

function inRange(v: number, low: number, high: number): boolean {
  return !(v < low - slack(low) || v > high + slack(high));
}

/** True when barProblem finds nothing wrong with these prices (the date aside). */
export function pricesSound(open: number, high: number, low: number, close: number, adjClose: number): boolean {
  return open > 0 && high > 0 && low > 0 && close > 0 && adjClose > 0 && high >= low && inRange(open, low, high) && inRange(close, low, high);
}

/**
 * Why a bar must be rejected, or undefined when it is sound. `today` is the New York date of
 * the import (YYYY-MM-DD): a bar after it cannot have traded yet.
 */
export function barProblem(bar: DailyBar, today: string): string | undefined {
  // The sound bar (nearly every row of an import) leaves without building the lists below.
  if (bar.date <= today && pricesSound(bar.open, bar.high, bar.low, bar.close, bar.adjClose)) return undefined;
  if (bar.date > today) return `it is dated ${bar.date}, after today (${today}, New York)`;
  const prices: [string, number][] = [['open', bar.open], ['high', bar.high], ['low', bar.low], ['close', bar.close], ['adjusted close', bar.adjClose]];
  const bad = prices.filter(([, v]) => !(v > 0));
  if (bad.length > 0) return `non-positive price (${bad.map(([k, v]) => `${k} ${v}`).join(', ')})`;
  if (bar.high < bar.low) return `high ${bar.high} is below low ${bar.low}`;
  for (const [name, v] of [['open', bar.open], ['close', bar.close]] as const) {
    if (v < bar.low - slack(bar.low) || v > bar.high + slack(bar.high)) {
      return `${name} ${v} is outside the day's range [${bar.low}, ${bar.high}] by more than the rounding tolerance`;
    }
  }
  return undefined;
}
