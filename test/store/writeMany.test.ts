import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { STORE_FILE, openDatabase } from '../../src/data/store/database.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

function bars(n: number, close: number): DailyBar[] {
  return Array.from({ length: n }, (_, i) => {
    const date = new Date(Date.UTC(1990, 0, 1 + i)).toISOString().slice(0, 10);
    return { date, open: close, high: close + 1, low: close - 1, close, adjClose: close, volume: i };
  });
}

describe('BarStore.writeMany', () => {
  it('checkpoints once at the end, restores the autocheckpoint setting, and a reader sees each symbol whole meanwhile', () => {
    const dir = tmp();
    const db = openDatabase(dir);
    const reader = new Database(join(dir, STORE_FILE), { readonly: true });
    try {
      const store = new BarStore(db);
      const before = db.pragma('wal_autocheckpoint', { simple: true });
      const seen: number[][] = [];
      store.writeMany(() => {
        expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
        for (let s = 0; s < 6; s++) {
          // 60,000 bars (3 MB) a symbol: over 1,000 pages in all, which would have checkpointed
          store.replaceBars(`S${s}`, 'csv', bars(60_000, 10 + s));
          seen.push((reader.prepare('SELECT bar_count FROM symbols ORDER BY symbol').pluck().all() as number[]));
        }
        // nothing checkpointed yet: the log holds every write, the store file none
        const page = db.pragma('page_size', { simple: true }) as number;
        expect(statSync(join(dir, `${STORE_FILE}-wal`)).size).toBeGreaterThan(1000 * page);
        expect(statSync(join(dir, STORE_FILE)).size).toBeLessThan(1_000_000);
      });
      expect(seen.map((counts) => counts.every((c) => c === 60_000) && counts.length)).toEqual([1, 2, 3, 4, 5, 6]);
      // the final checkpoint copied them into the store file
      expect(statSync(join(dir, STORE_FILE)).size).toBeGreaterThan(6 * 60_000 * 52);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(before);
      expect(new BarStore(reader).getBars('S5')).toEqual(bars(60_000, 15));
    } finally {
      reader.close();
      db.close();
    }
  });
});
