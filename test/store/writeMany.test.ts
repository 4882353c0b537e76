import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { STORE_FILE, openDatabase } from '../../src/data/store/database.js';
import { useTempDirs } from '../support/tmp.js';
import { expectSameData } from '../support/sameData.js';

const tmp = useTempDirs();

function bars(n: number, close: number): DailyBar[] {
  return Array.from({ length: n }, (_, i) => {
    const date = new Date(Date.UTC(1990, 0, 1 + i)).toISOString().slice(0, 10);
    return { date, open: close, high: close + 1, low: close - 1, close, adjClose: close, volume: i };
  });
}

describe('BarStore.writeMany', () => {
  it('keeps the log bounded, checkpoints the rest at the end, and a reader sees each symbol whole meanwhile', () => {
    const dir = tmp();
    const db = openDatabase(dir);
    const reader = new Database(join(dir, STORE_FILE), { readonly: true });
    try {
      const store = new BarStore(db);
      const page = db.pragma('page_size', { simple: true }) as number;
      // A small interval (the default is 1,000 pages) keeps the test's writes small.
      db.pragma('wal_autocheckpoint = 50');
      const every = 50;
      const seen: number[][] = [];
      let maxLog = 0;
      store.writeMany(() => {
        for (let s = 0; s < 12; s++) {
          // 10,000 bars (0.5 MB) a symbol: 6 MB in all, over seven times the 50 pages between automatic checkpoints
          store.replaceBars(`S${s}`, 'csv', bars(10_000, 10 + s));
          seen.push((reader.prepare('SELECT bar_count FROM symbols ORDER BY symbol').pluck().all() as number[]));
          maxLog = Math.max(maxLog, statSync(join(dir, `${STORE_FILE}-wal`)).size);
        }
      });
      expect(seen.map((counts) => counts.every((c) => c === 10_000) && counts.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      // The log was reused, not grown to the import's size: at most the checkpoint interval plus one symbol's write.
      expect(maxLog).toBeLessThan(every * page + 700_000);
      expect(maxLog).toBeGreaterThan(0);
      // the final checkpoint copied everything into the store file
      expect(statSync(join(dir, STORE_FILE)).size).toBeGreaterThan(12 * 10_000 * 52);
      const [after] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      expect(after.checkpointed).toBe(after.log); // nothing was left in the log
      expectSameData(new BarStore(reader).getBars('S11'), bars(10_000, 21));
    } finally {
      reader.close();
      db.close();
    }
  });
});
