import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionsBetween } from '../calendar/nyse.js';
import type { DailyBar } from '../data/bar.js';
import { importCsvFiles } from '../data/importCsv.js';
import { BarStore } from '../data/store/barStore.js';
import { openDatabase } from '../data/store/database.js';
import { loadPanel } from '../data/store/panelLoader.js';
import { median, type BenchResult } from './timing.js';

/** Import of the 83 real stock files into a fresh store. */
export function benchImport(realData: string | undefined): BenchResult[] {
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
      db.close();
    }
    return [
      { name: `load ${symbols} symbols x ${dates.length} sessions (all 6 fields)`, ms: median(runs), detail: `${cells.toLocaleString('en-US')} cells; target <= 300 ms; store written in ${(writeMs / 1000).toFixed(1)} s` },
      { name: `load ${symbols} symbols (4 fields a backtest needs)`, ms: median(runsSubset), detail: 'open, high, close, adjClose' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
