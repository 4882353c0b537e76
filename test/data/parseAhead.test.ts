import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ParseAhead } from '../../src/data/csv/parsePool.js';
import { readBarsCsvFile } from '../../src/data/csv/barsCsv.js';
import { importCsvFiles } from '../../src/data/importCsv.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { useTempDirs } from '../support/tmp.js';
import { expectSameData } from '../support/sameData.js';

const tmp = useTempDirs();
const CLOCK = new ManualClock('2024-06-15T01:30:00Z');
const TODAY = '2024-06-14';

/** Files of every kind an import meets: good, out of order, rejected rows, failing, not prices, quoted, BOM, CRLF. */
function writeFiles(dir: string): string[] {
  const src = join(dir, 'csv');
  mkdirSync(src, { recursive: true });
  const H = 'Date,Open,High,Low,Close,Adj Close,Volume';
  const rows = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => {
      const c = 10 + ((i + from) % 17) / 8;
      return `${new Date(Date.UTC(2020, 0, 1 + i + from)).toISOString().slice(0, 10)},${c.toFixed(4)},${(c + 0.5).toFixed(4)},${(c - 0.5).toFixed(4)},${c.toFixed(4)},${(c * 0.9).toFixed(6)},${1000 + i}`;
    });
  const files: Record<string, string> = {
    'AAA.csv': [H, ...rows(400)].join('\n') + '\n',
    'BBB.csv': [H, ...rows(300).reverse()].join('\r\n'),
    'CCC.csv': '\ufeff' + [H, ...rows(50, 7)].join('\n'),
    'DDD.csv': [H, '"2024-06-12","10","11","9","10.5","10.4","1,000"', '2024-06-13,10,11,9,-1,1,5', '', '2024-06-14,10,11,9,10.5,10.5,7', '2024-06-15,10,11,9,10.5,10.5,7'].join('\n'),
    'EEE.csv': [H, ...rows(20), rows(20)[3]].join('\n'),
    'FFF.csv': 'ticker,start_date,end_date\nA,2000-06-05,\n',
    'GGG.csv': [H, '2024-13-01,1,1,1,1,1,1'].join('\n'),
    'HHH.csv': 'Date,Close\n2024-06-10,5\n2024-06-11,\n2024-06-12,5.5\n',
    'III.csv': [H, '2024-06-13,10,9,11,10,10,1'].join('\n'),
    'brk.b.csv': [H, ...rows(30)].join('\n'),
    'BRK-B.csv': [H, ...rows(31)].join('\n'),
    'JJJ.csv': '',
    'KKK.csv': [H, ...rows(1000, 3)].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text);
  return Object.keys(files).sort().map((f) => join(src, f));
}

function importWith(dir: string, parseThreads: number) {
  const db = openDatabase(join(dir, `store-${parseThreads}`));
  try {
    const store = new BarStore(db);
    const report = importCsvFiles(store, [join(dir, 'csv')], { clock: CLOCK, parseThreads });
    const bars = Object.fromEntries(store.listSymbols().map((s) => [s.symbol, store.getBars(s.symbol)]));
    return { report, bars };
  } finally {
    db.close();
  }
}

describe('parsing ahead on threads', () => {
  it('imports exactly what the one-thread import does: report, warnings, failures, stored bars', () => {
    const dir = tmp();
    writeFiles(dir);
    const one = importWith(dir, 0);
    const two = importWith(dir, 2);
    expectSameData(two, one);
    // the set exercises every branch of the report
    expect(one.report.imported.length).toBeGreaterThan(5);
    expect(one.report.failed.length).toBeGreaterThan(3);
    expect(one.report.skipped.length).toBe(2);
    expect(one.report.rejected.length).toBeGreaterThan(1);
  });

  it('gives readBarsCsvFile\'s results in order, from threads, in place (large files) and after a timeout', () => {
    const dir = tmp();
    const files = writeFiles(dir).map((path) => ({ path, label: path.split('/').pop()! }));
    const expected = files.map(({ path, label }) => {
      try {
        return { result: readBarsCsvFile(path, label, { today: TODAY }) };
      } catch (err) {
        return { error: (err as Error).message };
      }
    });
    const n = files.length;
    const small = files.filter((f) => statSync(f.path).size <= 1000).length;
    expect(small).toBeGreaterThan(3);
    expect(small).toBeLessThan(n);
    const cases = [
      { options: { threads: 1 }, threaded: n },
      { options: { threads: 3 }, threaded: n },
      { options: { threads: 2, maxThreadBytes: 1000 }, threaded: small },
      { options: { threads: 0 }, threaded: 0 },
    ];
    for (const { options, threaded } of cases) {
      const ahead = new ParseAhead(files, TODAY, options);
      try {
        expectSameData(files.map((_, i) => ahead.get(i)), expected);
        expect(ahead.counts).toEqual({ threaded, inPlace: n - threaded });
      } finally {
        ahead.close();
      }
    }
    // Threads whose module cannot load: they say so, and every file is parsed in place at once.
    const broken = new ParseAhead(files, TODAY, { threads: 2, threadModule: new URL('./no-such-module.js', import.meta.url) });
    try {
      expectSameData(files.map((_, i) => broken.get(i)), expected);
      expect(broken.counts).toEqual({ threaded: 0, inPlace: n });
    } finally {
      broken.close();
    }
    // A thread that does not answer in time: that file and the rest are parsed in place.
    const late = new ParseAhead(files, TODAY, { threads: 2, timeoutMs: 0 });
    try {
      expectSameData(files.map((_, i) => late.get(i)), expected);
      expect(late.counts.inPlace).toBeGreaterThan(0);
    } finally {
      late.close();
    }
  });
});
