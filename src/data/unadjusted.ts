/**
 * Symbols imported without adjusted prices (`atlas data import --unadjusted`) are stored with this
 * source, so `data check` and every backtest can say that their returns across splits and
 * dividends are wrong.
 */
export const UNADJUSTED_SOURCE = 'csv-unadjusted';

/**
 * Indices have no splits or dividends, so a file of one needs no adjusted close: VIX and the
 * other volatility and equity indices Atlas reads, and any file named with Yahoo's caret (^GSPC).
 */
const INDICES = new Set(['VIX', 'VIX3M', 'VIX9D', 'VXV', 'VVIX', 'VXN', 'SPX', 'GSPC', 'NDX', 'DJI', 'RUT', 'TNX', 'IRX', 'TYX', 'FVX']);

export function isIndexFile(fileName: string, symbol: string): boolean {
  return fileName.startsWith('^') || INDICES.has(symbol);
}

/** The warning a run prints when its universe holds such symbols. */
export function unadjustedWarning(symbols: readonly string[]): string | null {
  if (symbols.length === 0) return null;
  const shown = symbols.slice(0, 5).join(', ') + (symbols.length > 5 ? ` and ${symbols.length - 5} more` : '');
  return `${shown} ${symbols.length === 1 ? 'was' : 'were'} imported without adjusted prices (--unadjusted): splits and dividends read as price moves, so returns and 52-week highs are wrong for ${symbols.length === 1 ? 'it' : 'them'}; re-import with an Adj Close column.`;
}
