/**
 * @module The pre-flight checks, run before the seven gates (which keep their numbers): account
 * status, cash vs margin, pattern-day-trader exposure, data freshness, price agreement. Pure:
 * same input, same output. See docs/preflight.md.
 */
import { checkAccountStatus } from './accountStatus.js';
import { checkCashMargin } from './cashMargin.js';
import { checkDataFreshness } from './dataFreshness.js';
import { checkPatternDayTrader } from './patternDayTrader.js';
import { checkPriceAgreement } from './priceAgreement.js';
import { DEFAULT_PREFLIGHT_OPTIONS, type PreflightCheck, type PreflightInput, type PreflightOptions, type PreflightResult } from './types.js';

export * from './types.js';
export { checkAccountStatus } from './accountStatus.js';
export { cashBudget, checkCashMargin, type CashBudget } from './cashMargin.js';
export { checkPatternDayTrader } from './patternDayTrader.js';
export { checkDataFreshness, lastCompletedSession } from './dataFreshness.js';
export { checkPriceAgreement } from './priceAgreement.js';

/** Checks in order: index i holds check i + 1 (printed P1..P5). */
export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [checkAccountStatus, checkCashMargin, checkPatternDayTrader, checkDataFreshness, checkPriceAgreement];

export function preflightOptions(over: Partial<PreflightOptions> = {}): PreflightOptions {
  return { ...DEFAULT_PREFLIGHT_OPTIONS, ...over };
}

/** Runs every check; one result each, P1..P5. */
export function runPreflight(input: PreflightInput): PreflightResult[] {
  const options = preflightOptions(input.options);
  return PREFLIGHT_CHECKS.map((c) => c(input, options));
}

/** True when no check FAILed (WARNs pass). */
export function preflightPassed(results: readonly PreflightResult[]): boolean {
  return results.every((r) => r.result !== 'FAIL');
}

/** One line per check, e.g. "[P4] data freshness     FAIL  last completed session ...". */
export function formatPreflightResults(results: readonly PreflightResult[]): string {
  return results.map((r) => `[P${r.check}] ${r.name.padEnd(18)} ${r.result.padEnd(4)}  ${r.reason}`).join('\n');
}
