import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { importCsvFiles } from '../../src/data/importCsv.js';
import { openDatabase } from '../../src/data/store/database.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
// 2024-06-15 01:30 UTC is still 2024-06-14 in New York: a bar dated the 15th is in the future.
const CLOCK = new ManualClock('2024-06-15T01:30:00Z');

function files(dir: string): { good: string; bad: string; allBad: string } {
  const src = join(dir, 'csv');
  mkdirSync(src, { recursive: true });
  const good = join(src, 'GOOD.csv');
  writeFileSync(good, 'Date,Open,High,Low,Close,Adj Close\n2024-06-13,10,11,9,10.5,10.5\n2024-06-14,10.5,11,10,10.8,10.8\n');
  const bad = join(src, 'BAD.csv');
  writeFileSync(bad, [
    'Date,Open,High,Low,Close,Adj Close',
    '2024-06-12,10,11,9,10.5,10.5',
    '2024-06-13,10,11,9,-1,-1',
    '2024-06-14,10,11,9,10.5,10.5',
    '2024-06-15,10,11,9,10.5,10.5',
    '2099-01-02,10,11,9,10.5,10.5',
  ].join('\n'));
  const allBad = join(src, 'ALLBAD.csv');
  writeFileSync(allBad, 'Date,Open,High,Low,Close,Adj Close\n2024-06-13,10,9,11,10,10\n');
  return { good, bad, allBad };
}

describe('importCsvFiles: bad rows', () => {
  it('rejects bad rows with file and line, imports the rest, and a file with no good row fails', () => {
    const dir = tmp();
    const f = files(dir);
    const db = openDatabase(join(dir, 'store'));
    try {
      const store = new BarStore(db);
      store.replaceBars('ALLBAD', 'csv', [{ date: '2024-06-03', open: 5, high: 6, low: 4, close: 5, adjClose: 5, volume: 0 }]);
      const report = importCsvFiles(store, [join(dir, 'csv')], { clock: CLOCK });
      expect(report.imported.map((r) => [r.symbol, r.bars, r.to])).toEqual([['BAD', 2, '2024-06-14'], ['GOOD', 2, '2024-06-14']]);
      expect(report.rejected.map((r) => [r.file, r.line, r.date])).toEqual([
        [f.allBad, 2, '2024-06-13'],
        [f.bad, 3, '2024-06-13'],
        [f.bad, 5, '2024-06-15'],
        [f.bad, 6, '2099-01-02'],
      ]);
      expect(report.warnings.filter((w) => w.startsWith('BAD.csv line 5: rejected the row for 2024-06-15: it is dated 2024-06-15, after today (2024-06-14'))).toHaveLength(1);
      expect(report.failed).toEqual([{ file: f.allBad, error: 'ALLBAD.csv has no usable price rows (all 1 were rejected); nothing was imported.' }]);
      // the failed file left the stored history untouched; nothing after today reached the store
      expect(store.getBars('ALLBAD').map((b) => b.date)).toEqual(['2024-06-03']);
      expect(store.getBars('BAD').map((b) => b.date)).toEqual(['2024-06-12', '2024-06-14']);
    } finally {
      db.close();
    }
  });

  it('today follows the clock: the same file a day later imports the bar of the 15th', () => {
    const dir = tmp();
    files(dir);
    const db = openDatabase(join(dir, 'store'));
    try {
      const report = importCsvFiles(new BarStore(db), [join(dir, 'csv', 'BAD.csv')], { clock: new ManualClock('2024-06-16T15:00:00Z') });
      expect(report.rejected.map((r) => r.line)).toEqual([3, 6]);
    } finally {
      db.close();
    }
  });
});

describe('atlas data import (through the command parser)', () => {
  function capture(): Output & { stdout: string[]; stderr: string[] } {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return { stdout, stderr, out: (t) => stdout.push(t), note: (t) => stderr.push(t), isTTY: false };
  }

  it('warns with file and line, counts rejected lines in the summary, lists them with --json', async () => {
    const dir = tmp();
    const f = files(dir);
    const text = capture();
    expect(await main(['node', 'atlas', '--data-dir', join(dir, 'a'), 'data', 'import', f.bad], text)).toBe(0);
    expect(text.stderr.join('\n')).toMatch(/warning: BAD\.csv line 6: rejected the row for 2099-01-02: it is dated 2099-01-02, after today/);
    expect(text.stderr.join('\n')).toMatch(/warning: BAD\.csv line 3: rejected the row for 2024-06-13: non-positive price \(close -1, adjusted close -1\)/);
    // the system clock is today: 2024-06-15 is in the past now, so 2 lines (-1 close, 2099) are rejected
    expect(text.stdout.join('\n')).toMatch(/Imported 1 symbols \(3 bars\) into .*; rejected 2 lines;/);

    const asJson = capture();
    expect(await main(['node', 'atlas', '--data-dir', join(dir, 'b'), 'data', 'import', f.bad, f.allBad, '--json'], asJson)).toBe(1);
    const report = JSON.parse(asJson.stdout.join('\n')) as { rejected: { file: string; line: number; date: string; reason: string }[] };
    expect(report.rejected.map((r) => [r.file, r.line])).toEqual([[f.bad, 3], [f.bad, 6], [f.allBad, 2]]);
    expect(report.rejected[2].reason).toBe('high 9 is below low 11');
  });

  it('--symbol-from takes the ticker from vendor file names; a name it does not match, or a second file for one symbol, fails alone', async () => {
    const dir = tmp();
    const src = join(dir, 'vendor');
    mkdirSync(src, { recursive: true });
    const body = 'Date,Open,High,Low,Close,Adj Close\n2024-06-13,10,11,9,10.5,10.5\n2024-06-14,10.5,11,10,10.8,10.8\n';
    writeFileSync(join(src, 'DA-AAPL-T-2021-04-21.csv'), body);
    writeFileSync(join(src, 'DA-BRK.B-T-2021-04-21.csv'), body);
    writeFileSync(join(src, 'DA-AAPL-T-2021-05-01.csv'), body);
    writeFileSync(join(src, 'notes.csv'), body);
    writeFileSync(join(src, 'calendar.csv'), 'date,weekday,type\n2024-01-01,Mon,holiday\n');
    const out = capture();
    expect(await main(['node', 'atlas', '--data-dir', join(dir, 's'), 'data', 'import', src, '--symbol-from', '^DA-([A-Z.]+)-T-', '--json'], out)).toBe(1);
    const report = JSON.parse(out.stdout.join('\n')) as { imported: { symbol: string; file: string }[]; failed: { file: string; error: string }[]; skipped: { file: string }[] };
    expect(report.imported.map((r) => [r.symbol, r.file])).toEqual([['AAPL', join(src, 'DA-AAPL-T-2021-04-21.csv')], ['BRK-B', join(src, 'DA-BRK.B-T-2021-04-21.csv')]]);
    expect(report.failed).toEqual([
      { file: join(src, 'DA-AAPL-T-2021-05-01.csv'), error: 'DA-AAPL-T-2021-05-01.csv names AAPL, already imported from DA-AAPL-T-2021-04-21.csv in this run; import one file per symbol.' },
      { file: join(src, 'notes.csv'), error: 'the file name notes.csv does not match --symbol-from /^DA-([A-Z.]+)-T-/; fix the pattern or rename the file.' },
    ]);
    expect(report.skipped.map((s) => s.file)).toEqual([join(src, 'calendar.csv')]);

    // Without the flag the vendor names fail one by one, saying what to do.
    const plain = capture();
    expect(await main(['node', 'atlas', '--data-dir', join(dir, 't'), 'data', 'import', join(src, 'DA-AAPL-T-2021-04-21.csv'), '--json'], plain)).toBe(1);
    expect(plain.stdout.join('\n')).toMatch(/cannot derive a ticker from the file name DA-AAPL-T-2021-04-21.csv \(got \\"DA-AAPL-T-2021-04-21\\"\); rename it to SYMBOL.csv or pass --symbol-from/);

    const bad = capture();
    expect(await main(['node', 'atlas', '--data-dir', join(dir, 'u'), 'data', 'import', src, '--symbol-from', '^DA-'], bad)).not.toBe(0);
    expect(bad.stderr.join('\n')).toMatch(/--symbol-from needs a capture group around the ticker/);
  });
});
