/**
 * Symbols imported without adjusted prices (`atlas data import --unadjusted`) are stored with this
 * source, so `data check` and every backtest can say that their returns across splits and
 * dividends are wrong.
 */
export const UNADJUSTED_SOURCE = 'csv-unadjusted';

/** The warning a run prints when its universe holds such symbols. */
export function unadjustedWarning(symbols: readonly string[]): string | null {
  if (symbols.length === 0) return null;
  const shown = symbols.slice(0, 5).join(', ') + (symbols.length > 5 ? ` and ${symbols.length - 5} more` : '');
  return `${shown} ${symbols.length === 1 ? 'was' : 'were'} imported without adjusted prices (--unadjusted): splits and dividends read as price moves, so returns and 52-week highs are wrong for ${symbols.length === 1 ? 'it' : 'them'}; re-import with an Adj Close column.`;
}
