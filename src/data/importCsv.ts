import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import { nyDateOf } from '../calendar/nyse.js';
import { systemClock, type Clock } from '../core/clock.js';
import { AtlasError, describeError } from '../core/errors.js';
import type { RejectedRow } from './csv/barsCsv.js';
import { ParseAhead } from './csv/parsePool.js';
import { fromDayNumber } from '../core/dates.js';
import type { BarStore } from './store/barStore.js';
import { isIndexFile, UNADJUSTED_SOURCE } from './unadjusted.js';

export interface ImportReport {
  imported: { symbol: string; file: string; bars: number; from: string | null; to: string | null }[];
  skipped: { file: string; reason: string }[];
  warnings: string[];
  /** Rows left out (future date, bad prices, inconsistent OHLC, blank prices); `file` is the path given. */
  rejected: RejectedRow[];
  failed: { file: string; error: string }[];
}

export interface ImportOptions {
  /** Reported progress, per file. */
  onFile?: (file: string, index: number, total: number) => void;
  /** "Today" for the future-bar check is this clock's New York date (default: the system clock). */
  clock?: Pick<Clock, 'now'>;
  /**
   * Vendor file names that are not the bare ticker (`DA-AAPL-T-2021-04-21.csv`): the ticker is
   * the first capture group of this pattern matched against the file name (with extension).
   */
  symbolFrom?: RegExp;
  /**
   * Threads parsing the next files while this one writes the current file (default: one per
   * core, at most 4, when there are at least 8 files; 0 parses every file on this thread).
   */
  parseThreads?: number;
  /**
   * Accept files without an adjusted close (`--unadjusted`): adjusted = raw, and the symbol is
   * stored with source UNADJUSTED_SOURCE so `data check` and every backtest warn about it.
   */
  unadjusted?: boolean;
}

const PRICE_EXTENSIONS = new Set(['.csv', '.txt', '.tsv']);

/** Expands files and directories (one level, sorted) into the files to import. */
export function expandImportPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new AtlasError(`${p} does not exist; pass CSV files or folders that hold them.`, { code: 'IMPORT_PATH' });
    }
    if (st.isDirectory()) {
      const entries = readdirSync(p).filter((f) => PRICE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
      for (const f of entries) {
        if (statSync(join(p, f)).isFile()) files.push(join(p, f));
      }
    } else {
      files.push(p);
    }
  }
  return files;
}

/**
 * The symbol a file holds, from its name: `brk.b.csv` -> BRK-B, `^VIX.csv` -> VIX. With a
 * pattern, the first capture group of the pattern matched against the file name (undefined when
 * it does not match), normalised the same way.
 */
export function symbolFromFileName(file: string, pattern?: RegExp): string | undefined {
  let stem = basename(file, extname(file));
  if (pattern) {
    const m = pattern.exec(basename(file));
    if (!m || m[1] === undefined) return undefined;
    stem = m[1];
  }
  return stem.trim().toUpperCase().replace(/^\^/, '').replace(/[._]/g, '-');
}

/** Parses --symbol-from: a regular expression with at least one capture group. */
export function parseSymbolPattern(raw: string): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(raw);
  } catch (err) {
    throw new AtlasError(`--symbol-from is not a valid regular expression (${describeError(err)}); pass one such as '^DA-([A-Z.]+)-'.`, { code: 'BAD_FLAG' });
  }
  if (new RegExp(`${raw}|`).exec('')!.length < 2) {
    throw new AtlasError(`--symbol-from needs a capture group around the ticker, e.g. '^DA-([A-Z.]+)-'; got '${raw}'.`, { code: 'BAD_FLAG' });
  }
  return re;
}

/**
 * Imports price CSVs. Each file replaces its symbol's history in one transaction, so a bad file
 * leaves what was stored before untouched, and one bad file does not stop the others. Rows that
 * fail the sanity rules (csv/barSanity.ts) are left out with a warning naming file and line; the
 * rest of their file is imported.
 */
export function importCsvFiles(store: BarStore, paths: readonly string[], options: ImportOptions = {}): ImportReport {
  const files = expandImportPaths(paths);
  const today = nyDateOf((options.clock ?? systemClock).now());
  const report: ImportReport = { imported: [], skipped: [], warnings: [], rejected: [], failed: [] };
  const claimed = new Map<string, string>();
  const threads = options.parseThreads ?? (files.length >= 8 && availableParallelism() > 1 ? Math.min(4, availableParallelism()) : 0);
  const parsed = new ParseAhead(files.map((f) => ({ path: f, label: basename(f) })), today, { threads });
  try {
    const run: ImportRun = { store, options, report, parsed, total: files.length, claimed };
    store.writeMany(() => files.forEach((file, i) => importOne(run, file, i)));
  } finally {
    parsed.close();
  }
  return report;
}

interface ImportRun {
  store: BarStore;
  options: ImportOptions;
  report: ImportReport;
  parsed: ParseAhead;
  total: number;
  /** Symbol -> the file it was imported from in this run. */
  claimed: Map<string, string>;
}

/** One file: parsed (ahead, on a thread) and written in its own transaction; every failure lands in the report. */
function importOne(run: ImportRun, file: string, i: number): void {
  const { store, options, report, parsed, claimed } = run;
  options.onFile?.(file, i, run.total);
  try {
    const got = parsed.get(i);
    if ('error' in got) {
      report.failed.push({ file, error: got.error });
      return;
    }
    const res = got.result;
    if (res.kind === 'not-prices') {
      report.skipped.push({ file, reason: `not a price file: ${res.reason}` });
      return;
    }
    report.warnings.push(...res.warnings);
    report.rejected.push(...res.rejected.map((r) => ({ ...r, file })));
    const n = res.columns.days.length;
    if (n === 0) {
      const why = res.rejected.length > 0 ? ` (all ${res.rejected.length} were rejected)` : '';
      report.failed.push({ file, error: `${basename(file)} has no usable price rows${why}; nothing was imported.` });
      return;
    }
    const symbol = symbolFromFileName(file, options.symbolFrom);
    if (symbol === undefined) {
      report.failed.push({ file, error: `the file name ${basename(file)} does not match --symbol-from ${String(options.symbolFrom)}; fix the pattern or rename the file.` });
      return;
    }
    if (!/^[A-Z0-9][A-Z0-9-]{0,14}$/.test(symbol)) {
      const fix = options.symbolFrom ? 'fix --symbol-from so its first group captures only the ticker' : 'rename it to SYMBOL.csv or pass --symbol-from';
      report.failed.push({ file, error: `cannot derive a ticker from the file name ${basename(file)} (got "${symbol}"); ${fix}.` });
      return;
    }
    const index = isIndexFile(basename(file), symbol);
    if (!res.hasAdjClose && !index && !options.unadjusted) {
      report.failed.push({ file, error: `${basename(file)} has no adjusted close column (Adj Close / adjusted_close), so its splits and dividends would read as price moves; export it with adjusted prices, or pass --unadjusted to import raw prices (data check and every backtest will then warn).` });
      return;
    }
    // Two files naming one symbol would silently replace each other: keep the first, say so.
    const earlier = claimed.get(symbol);
    if (earlier !== undefined) {
      report.failed.push({ file, error: `${basename(file)} names ${symbol}, already imported from ${basename(earlier)} in this run; import one file per symbol.` });
      return;
    }
    store.replaceColumns(symbol, res.hasAdjClose || index ? 'csv' : UNADJUSTED_SOURCE, res.columns);
    claimed.set(symbol, file);
    report.imported.push({ symbol, file, bars: n, from: fromDayNumber(res.columns.days[0]), to: fromDayNumber(res.columns.days[n - 1]) });
  } catch (err) {
    report.failed.push({ file, error: describeError(err) });
  }
}
