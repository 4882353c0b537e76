import type { DailyBar } from '../bar.js';
import { barsFromColumns, type BarColumns } from '../store/barColumns.js';
import { BarsCsvBuilder } from './barsCsvBuilder.js';
import { CsvStream, streamCsvFile } from './csvStream.js';

/**
 * Reads daily bars from a CSV whose columns are recognised by header, in any order:
 * Date/DATE/timestamp, Open, High, Low, Close, Adj Close/adjusted_close, Volume.
 * Only the date and close columns are required: an index file (VIX) has no volume or adjusted
 * close, so volume becomes 0 and adjClose = close.
 */
export type BarsCsvResult =
  | { kind: 'bars'; bars: DailyBar[]; warnings: string[]; rejected: RejectedRow[]; hasAdjClose: boolean; hasVolume: boolean }
  | { kind: 'not-prices'; reason: string };

/** The same result with the bars as columns (ascending, unique days): what the import stores. */
export type BarsCsvColumnsResult =
  | { kind: 'bars'; columns: BarColumns; warnings: string[]; rejected: RejectedRow[]; hasAdjClose: boolean; hasVolume: boolean }
  | { kind: 'not-prices'; reason: string };

/** A data row left out of the import, with the 1-based line a user sees in an editor. */
export interface RejectedRow {
  file: string;
  line: number;
  date: string;
  reason: string;
}

export interface BarsCsvOptions {
  /**
   * Today's New York date (YYYY-MM-DD). When given, every row is checked by `barProblem`: rows
   * dated after it, with a non-positive price, high < low, or open/close outside [low, high]
   * are rejected with a warning, and the rest of the file is kept.
   */
  today?: string;
}

export { parseDateCell } from './csvCells.js';

/** Parses a whole CSV text (see the module comment); rows failing the sanity rules are left out with a warning. */
export function parseBarsCsv(text: string, fileLabel: string, options: BarsCsvOptions = {}): BarsCsvResult {
  const builder = new BarsCsvBuilder(fileLabel, options);
  const stream = new CsvStream(builder);
  stream.push(text);
  stream.end();
  const res = builder.finish();
  if (res.kind === 'not-prices') return res;
  const { columns, ...rest } = res;
  return { ...rest, bars: barsFromColumns(columns) };
}

/**
 * parseBarsCsv for a file, read in chunks: memory holds the parsed columns, never the file's
 * text, so a multi-million-row file imports in a few hundred megabytes.
 */
export function readBarsCsvFile(path: string, fileLabel: string, options: BarsCsvOptions = {}): BarsCsvColumnsResult {
  const builder = new BarsCsvBuilder(fileLabel, options);
  streamCsvFile(path, builder);
  return builder.finish();
}
