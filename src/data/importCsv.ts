import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { nyDateOf } from '../calendar/nyse.js';
import { systemClock, type Clock } from '../core/clock.js';
import { AtlasError, describeError } from '../core/errors.js';
import { parseBarsCsv, type RejectedRow } from './csv/barsCsv.js';
import type { BarStore } from './store/barStore.js';

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

/** The symbol a file holds, from its name: `brk.b.csv` -> BRK-B, `^VIX.csv` -> VIX. */
export function symbolFromFileName(file: string): string {
  const stem = basename(file, extname(file));
  return stem.trim().toUpperCase().replace(/^\^/, '').replace(/[._]/g, '-');
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
  files.forEach((file, i) => {
    options.onFile?.(file, i, files.length);
    try {
      const res = parseBarsCsv(readFileSync(file, 'utf8'), basename(file), { today });
      if (res.kind === 'not-prices') {
        report.skipped.push({ file, reason: `not a price file: ${res.reason}` });
        return;
      }
      report.warnings.push(...res.warnings);
      report.rejected.push(...res.rejected.map((r) => ({ ...r, file })));
      if (res.bars.length === 0) {
        const why = res.rejected.length > 0 ? ` (all ${res.rejected.length} were rejected)` : '';
        report.failed.push({ file, error: `${basename(file)} has no usable price rows${why}; nothing was imported.` });
        return;
      }
      const symbol = symbolFromFileName(file);
      if (!/^[A-Z0-9][A-Z0-9-]{0,14}$/.test(symbol)) {
        report.failed.push({ file, error: `cannot derive a ticker from the file name ${basename(file)}; rename it to SYMBOL.csv.` });
        return;
      }
      store.replaceBars(symbol, 'csv', res.bars);
      report.imported.push({ symbol, file, bars: res.bars.length, from: res.bars[0].date, to: res.bars[res.bars.length - 1].date });
    } catch (err) {
      report.failed.push({ file, error: describeError(err) });
    }
  });
  return report;
}
