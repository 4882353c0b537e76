/**
 * @module Store benchmarks: CSV import (the real files, a synthetic 502-file S&P-sized set, one
 * 3M-row file's peak memory in a child process) and panel loads (whole history and a range).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sessionsBetween } from '../calendar/nyse.js';
import type { DailyBar } from '../data/bar.js';
import { importCsvFiles } from '../data/importCsv.js';
import { BarStore } from '../data/store/barStore.js';
import { openDatabase } from '../data/store/database.js';
import { loadPanel } from '../data/store/panelLoader.js';
import { median, type BenchResult } from './timing.js';

/** Import of the 83 real stock files, of 502 synthetic ones, and one 3M-row file's peak memory. */
export function benchImport(realData: string | undefined): BenchResult[] {
  return [...benchImportReal(realData), benchImportSynthetic(), benchBigFile()];
}

function benchImportReal(realData: string | undefined): BenchResult[] {
  if (!realData || !existsSync(join(realData, 'stocks'))) {
    return [{ name: 'import 83 stock CSVs', ms: NaN, detail: 'skipped: set ATLAS_REAL_DATA to ../shared/data' }];
  }
  const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-'));
  try {
    const store = new BarStore(openDatabase(dir));
    const t0 = performance.now();
    const report = importCsvFiles(store, [join(realData, 'stocks')]);
    const ms = performance.now() - t0;
    const bars = report.imported.reduce((a, r) => a + r.bars, 0);
    store.db.close();
    return [{ name: 'import 83 stock CSVs', ms, detail: `${report.imported.length} symbols, ${bars.toLocaleString('en-US')} bars (${(ms / 1000).toFixed(2)} s)` }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Synthetic 500-symbol x ~6,300-session store, then the aligned-array load. */
export function benchPanelLoad(symbols = 500): BenchResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-'));
  try {
    const store = new BarStore(openDatabase(dir));
    const dates = sessionsBetween('1996-01-02', '2020-12-31');
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const tw = performance.now();
    for (let s = 0; s < symbols; s++) {
      // Later listings for a fifth of the symbols, so alignment does real work.
      const start = s % 5 === 0 ? Math.floor(rand() * 3000) : 0;
      let p = 20 + rand() * 100;
      const bars: DailyBar[] = [];
      for (let i = start; i < dates.length; i++) {
        p *= 1 + (rand() - 0.5) * 0.04;
        bars.push({ date: dates[i], open: p, high: p * 1.01, low: p * 0.99, close: p, adjClose: p * 0.95, volume: 1e6 });
      }
      store.replaceBars(`S${String(s).padStart(3, '0')}`, 'bench', bars);
    }
    const writeMs = performance.now() - tw;
    const names = store.listSymbols().map((x) => x.symbol);
    store.db.close();
    const runs: number[] = [];
    const runsSubset: number[] = [];
    const runsRange: number[] = [];
    let cells = 0;
    for (let r = 0; r < 5; r++) {
      // A fresh connection each time: the first read in a new process is what a CLI run pays.
      const db = openDatabase(dir);
      const t0 = performance.now();
      const panel = loadPanel(db, names);
      runs.push(performance.now() - t0);
      cells = panel.dates.length * panel.symbols.length;
      const t1 = performance.now();
      loadPanel(db, names, { fields: ['open', 'high', 'close', 'adjClose'] });
      runsSubset.push(performance.now() - t1);
      const t2 = performance.now();
      loadPanel(db, names, { fields: ['open', 'high', 'close', 'adjClose'], from: '2015-01-01' });
      runsRange.push(performance.now() - t2);
      db.close();
    }
    return [
      { name: `load ${symbols} symbols x ${dates.length} sessions (all 6 fields)`, ms: median(runs), detail: `${cells.toLocaleString('en-US')} cells; target <= 300 ms; store written in ${(writeMs / 1000).toFixed(1)} s` },
      { name: `load ${symbols} symbols (4 fields a backtest needs)`, ms: median(runsSubset), detail: 'open, high, close, adjClose' },
      { name: `load ${symbols} symbols, 4 fields, 2015-2020 only`, ms: median(runsRange), detail: 'a 5-year run (plus its year of lookback) reads only the blocks it overlaps' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 500 stocks + SPY + VIX, 1998-2020 sessions, Yahoo layout with 6 decimals (about 200 MB). */
function writeSyntheticCsvs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const dates = sessionsBetween('1998-01-02', '2020-12-31');
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const write = (name: string, start: number) => {
    let p = 20 + rand() * 100;
    const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
    for (let i = start; i < dates.length; i++) {
      const o = p;
      p *= 1 + (rand() - 0.5) * 0.04;
      lines.push(`${dates[i]},${o.toFixed(6)},${(Math.max(o, p) * 1.005).toFixed(6)},${(Math.min(o, p) * 0.995).toFixed(6)},${p.toFixed(6)},${(p * 0.9).toFixed(6)},${Math.floor(1e6 + rand() * 1e7)}`);
    }
    writeFileSync(join(dir, `${name}.csv`), lines.join('\n') + '\n');
  };
  for (let s = 0; s < 500; s++) write(`B${String(s).padStart(3, '0')}`, s % 5 === 0 ? Math.floor(rand() * 3000) : 0);
  write('SPY', 0);
  write('VIX', 0);
}

/** `atlas data import` of 502 files (the issue-13 target: <= 1.5 s). */
export function benchImportSynthetic(): BenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-csv-'));
  try {
    writeSyntheticCsvs(join(dir, 'csv'));
    const store = new BarStore(openDatabase(join(dir, 'store')));
    const t0 = performance.now();
    const report = importCsvFiles(store, [join(dir, 'csv')]);
    const ms = performance.now() - t0;
    store.db.close();
    const bars = report.imported.reduce((a, r) => a + r.bars, 0);
    return { name: 'import 502 synthetic CSVs', ms, detail: `${report.imported.length} symbols, ${bars.toLocaleString('en-US')} bars; target <= 1,500 ms` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak resident memory of a fresh process importing one 3,000,000-row file (target <= 300 MB). */
export function benchBigFile(rows = 3_000_000): BenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-big-'));
  try {
    const file = join(dir, 'BIG.csv');
    const fd = openSync(file, 'w');
    writeSync(fd, 'Date,Open,High,Low,Close,Adj Close,Volume\n');
    // One bar a calendar day from the year 100: 3M unique dates need a clock in the far future.
    const base = Date.UTC(100, 0, 1) / 86_400_000;
    let chunk: string[] = [];
    for (let i = 0; i < rows; i++) {
      const c = 50 + (i % 1000) / 10;
      chunk.push(`${new Date((base + i) * 86_400_000).toISOString().slice(0, 10)},${c.toFixed(6)},${(c * 1.01).toFixed(6)},${(c * 0.99).toFixed(6)},${c.toFixed(6)},${(c * 0.9).toFixed(6)},${1e6 + i}`);
      if (chunk.length === 50_000 || i === rows - 1) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    closeSync(fd);
    const importer = fileURLToPath(new URL('../data/importCsv.js', import.meta.url));
    const storeMod = fileURLToPath(new URL('../data/store/barStore.js', import.meta.url));
    const dbMod = fileURLToPath(new URL('../data/store/database.js', import.meta.url));
    const script = `
      const { importCsvFiles } = await import(${JSON.stringify(importer)});
      const { BarStore } = await import(${JSON.stringify(storeMod)});
      const { openDatabase } = await import(${JSON.stringify(dbMod)});
      const store = new BarStore(openDatabase(${JSON.stringify(join(dir, 'store'))}));
      const t0 = performance.now();
      const r = importCsvFiles(store, [${JSON.stringify(file)}], { clock: { now: () => new Date('9999-12-30T12:00:00Z') } });
      const ms = performance.now() - t0;
      store.db.close();
      console.log(JSON.stringify({ ms, bars: r.imported[0]?.bars ?? 0, maxRssKb: process.resourceUsage().maxRSS }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { ms: number; bars: number; maxRssKb: number };
    return { name: `import one ${rows.toLocaleString('en-US')}-row CSV (fresh process)`, ms: out.ms, detail: `${out.bars.toLocaleString('en-US')} bars; peak RSS ${(out.maxRssKb / 1024).toFixed(0)} MB; target <= 300 MB` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
