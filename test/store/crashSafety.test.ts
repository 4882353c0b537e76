import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { useTempDirs } from '../support/tmp.js';
import { nodeScript } from '../support/nodeScript.js';
import { fromDayNumber } from '../../src/core/dates.js';

const tmp = useTempDirs();
const worker = fileURLToPath(new URL('./fixtures/importWorker.ts', import.meta.url));

/** Runs the worker and SIGKILLs it as soon as `killWhen` holds for its output so far. */
function runAndKill(args: string[], killWhen: (out: string) => boolean): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeScript(worker), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (killWhen(out)) child.kill('SIGKILL');
    });
    child.on('close', (_code, signal) => resolve({ out, signal }));
  });
}

// Calendar arithmetic, not a Date per row: the big file below has 400,000 of them.
const day = (i: number, startYear = 2000) => fromDayNumber(Date.UTC(startYear, 0, 1) / 86_400_000 + i);
const bar = (date: string, v: number): DailyBar => ({ date, open: v, high: v, low: v, close: v, adjClose: v, volume: 0 });

describe('a writer killed mid-import', () => {
  it('leaves the symbol it was writing as it was, and keeps the ones it finished', async () => {
    const dir = tmp();
    const storeDir = join(dir, 'store');
    const seed = new BarStore(openDatabase(storeDir));
    const oldA = [bar('2020-01-02', 1), bar('2020-01-03', 1)];
    const oldB = [bar('2020-01-02', 2), bar('2020-01-03', 2), bar('2020-01-06', 2)];
    seed.replaceBars('A', 'csv', oldA);
    seed.replaceBars('B', 'csv', oldB);
    seed.db.close();
    const csv = join(dir, 'csv');
    mkdirSync(csv);
    writeFileSync(join(csv, 'A.csv'), 'Date,Close,Adj Close\n2021-01-04,5,5\n2021-01-05,6,6\n');
    // B is big enough (400,000 rows from the year 800) that the kill lands while it is read or written.
    const rows = ['Date,Open,High,Low,Close,Adj Close'];
    for (let i = 0; i < 400_000; i++) rows.push(`${day(i, 800)},7,7,7,7,7`);
    writeFileSync(join(csv, 'B.csv'), rows.join('\n'));

    const r = await runAndKill(['import', csv, storeDir], (out) => out.includes('B.csv'));
    expect(r.signal).toBe('SIGKILL');
    const store = new BarStore(openDatabase(storeDir));
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(store.getBars('A').map((b) => [b.date, b.close])).toEqual([['2021-01-04', 5], ['2021-01-05', 6]]);
    expect(store.getBars('B')).toEqual(oldB);
    expect(store.symbolInfo('B')?.barCount).toBe(3);
    store.db.close();
  }, 60_000);

  it('never leaves a symbol half rewritten: every bar is from one complete write', async () => {
    const dir = tmp();
    const r = await runAndKill(['rewrite', dir, 'X', '300000'], (out) => out.split('\n').length > 3);
    expect(r.signal).toBe('SIGKILL');
    const store = new BarStore(openDatabase(dir));
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const cols = store.getColumns('X');
    expect(cols.days.length).toBe(300_000);
    const version = cols.close[0];
    expect(version).toBeGreaterThanOrEqual(2);
    expect(cols.close.every((v) => v === version)).toBe(true);
    expect(cols.volume.every((v) => v === version)).toBe(true);
    store.db.close();
  }, 60_000);
});
