/**
 * @module The remainder sleeve: where the share of equity that the stocks do not take goes.
 * Pure weight logic shared by the backtest engine and the live signal, so both hold the same
 * sleeve for the same decision (docs/strategy.md, "The remainder sleeve").
 *
 * The remainder is 1 - (the stocks' total weight): the part the regime leaves out of stocks
 * (1 - allocation) plus the slots the scan could not fill ((topN - filled) x allocation / topN).
 * - cash: the remainder stays cash (no orders).
 * - etf: one cash-like ETF takes the whole remainder.
 * - defensive: a list of symbols takes it equal-weight.
 * Gate 7 counts a sleeve symbol as cash when it is a T-bill ETF (T_BILL_ETFS) or the strategy
 * says `countsAsCash: true`; a defensive list counts as stock exposure unless configured so.
 */

/** The sleeve as the strategy file holds it (strategy/schema.ts sleeveSchema has the same shape). */
export type Sleeve =
  | { kind: 'cash' }
  | { kind: 'etf'; symbol: string; countsAsCash?: boolean }
  | { kind: 'defensive'; symbols: string[]; countsAsCash?: boolean };

export const CASH_SLEEVE: Sleeve = { kind: 'cash' };

/** Treasury-bill / short-treasury ETFs: counted as cash by gate 7 unless the strategy says otherwise. */
export const T_BILL_ETFS: readonly string[] = ['BIL', 'SGOV', 'SHY', 'SHV', 'BILS', 'TFLO', 'USFR'];

/** The sleeve's symbols, in the order its weights come (empty for cash; duplicates dropped). */
export function sleeveSymbols(sleeve: Sleeve): string[] {
  if (sleeve.kind === 'cash') return [];
  if (sleeve.kind === 'etf') return [sleeve.symbol];
  return [...new Set(sleeve.symbols)];
}

/** Whether gate 7 (regime compliance) counts the sleeve's holdings as cash rather than exposure. */
export function sleeveCountsAsCash(sleeve: Sleeve): boolean {
  if (sleeve.kind === 'cash') return true;
  if (sleeve.countsAsCash !== undefined) return sleeve.countsAsCash;
  return sleeve.kind === 'etf' && T_BILL_ETFS.includes(sleeve.symbol);
}

/** Symbols gate 7 counts as cash (the sleeve's, when it counts as cash; else none). */
export function cashLikeSymbols(sleeve: Sleeve): string[] {
  return sleeve.kind !== 'cash' && sleeveCountsAsCash(sleeve) ? sleeveSymbols(sleeve) : [];
}

/** 'cash', 'etf:BIL', 'defensive:XLP,XLU' (the --sleeve flag's spelling). */
export function sleeveLabel(sleeve: Sleeve): string {
  return sleeve.kind === 'cash' ? 'cash' : `${sleeve.kind}:${sleeveSymbols(sleeve).join(',')}`;
}

/**
 * The remainder 1 - (allocation / topN) x filled, never below 0: what the stocks leave. `filled`
 * is the number of names holding a stock weight (at most topN). Computed the same way in the
 * engine and live so both get the same floating-point number.
 */
export function sleeveRemainder(allocation: number, topN: number, filled: number): number {
  const r = 1 - (allocation / topN) * Math.min(filled, topN);
  return r > 0 ? r : 0;
}

/**
 * Weight of each sleeve symbol (aligned with `symbols`, normally sleeveSymbols(sleeve) minus the
 * ones without a price): remainder / k each. Symbols without a price are left out by the caller;
 * their share then stays cash.
 */
export function sleeveWeightsFor(symbols: readonly string[], remainder: number): number[] {
  if (symbols.length === 0 || !(remainder > 0)) return symbols.map(() => 0);
  const w = remainder / symbols.length;
  return symbols.map(() => w);
}

/**
 * Stock weights plus the sleeve's: every sleeve symbol in `priced` (default: all of them) gets
 * remainder / k; a symbol both picked and in the sleeve holds the sum. The result sums to at
 * most 1 and has no negative weight.
 */
export function withSleeve(
  stockWeights: ReadonlyMap<string, number>,
  sleeve: Sleeve,
  allocation: number,
  topN: number,
  priced: (symbol: string) => boolean = () => true,
): Map<string, number> {
  const out = new Map(stockWeights);
  const symbols = sleeveSymbols(sleeve).filter(priced);
  const weights = sleeveWeightsFor(symbols, sleeveRemainder(allocation, topN, stockWeights.size));
  symbols.forEach((s, i) => {
    if (weights[i] > 0) out.set(s, (out.get(s) ?? 0) + weights[i]);
  });
  return out;
}
