import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { AtlasError, describeError } from '../core/errors.js';
import { parseBarsCsv } from './csv/barsCsv.js';
import type { BarStore } from './store/barStore.js';

export interface ImportReport {
  imported: { symbol: string; file: string; bars: number; from: string | null; to: string | null }[];
  skipped: { file: string; reason: string }[];
  warnings: string[];
  failed: { file: string; error: string }[];
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
 * leaves what was stored before untouched, and one bad file does not stop the others.
 */
export function importCsvFiles(store: BarStore, paths: readonly string[], onFile?: (file: string, index: number, total: number) => void): ImportReport {
  const files = expandImportPaths(paths);
  const report: ImportReport = { imported: [], skipped: [], warnings: [], failed: [] };
  files.forEach((file, i) => {
    onFile?.(file, i, files.length);
    try {
      const res = parseBarsCsv(readFileSync(file, 'utf8'), basename(file));
      if (res.kind === 'not-prices') {
        report.skipped.push({ file, reason: `not a price file: ${res.reason}` });
        return;
      }
      report.warnings.push(...res.warnings);
      if (res.bars.length === 0) {
        report.failed.push({ file, error: `${basename(file)} has no price rows; nothing was imported.` });
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
