import { describe, expect, it } from 'vitest';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { prepared } from '../../src/data/store/statements.js';
import { lastRawClose } from '../../src/execution/rebalance/signal.js';
import { sessionTimes } from '../../src/calendar/nyse.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

describe('prepared statements, one per connection, SQL and row mode', () => {
  it('returns the same statement for the same SQL and mode, and keeps modes apart', () => {
    const db = openDatabase(tmp());
    try {
      const sql = 'SELECT 1 AS one';
      expect(prepared(db, sql)).toBe(prepared(db, sql));
      expect(prepared(db, sql, 'pluck')).not.toBe(prepared(db, sql));
      // A plucked statement does not turn the shared object-mode one into a plucked one.
      expect(prepared(db, sql, 'pluck').get()).toBe(1);
      expect(prepared(db, sql).get()).toEqual({ one: 1 });
      expect(prepared(db, sql, 'raw').get()).toEqual([1]);
    } finally {
      db.close();
    }
  });

  it('is per connection: another connection gets its own statements', () => {
    const dir = tmp();
    const a = openDatabase(dir);
    const b = openDatabase(dir);
    try {
      expect(prepared(a, 'SELECT 2')).not.toBe(prepared(b, 'SELECT 2'));
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('lastRawClose reads the last bar on or before a date', () => {
  it('skips a trailing bar without a usable close and says nothing for an unknown symbol', () => {
    const db = openDatabase(tmp());
    try {
      const store = new BarStore(db);
      const bar = (date: string, close: number) => ({ date, open: close, high: close, low: close, close, adjClose: close, volume: 1 });
      store.replaceBars('AAA', 'csv', [bar('2020-01-02', 10), bar('2020-01-03', 11), bar('2024-06-03', 12)]);
      expect(lastRawClose(store, 'AAA')).toBe(12);
      expect(lastRawClose(store, 'AAA', '2024-06-02')).toBe(11);
      expect(lastRawClose(store, 'AAA', '2020-01-02')).toBe(10);
      expect(lastRawClose(store, 'AAA', '2019-12-31')).toBeUndefined();
      expect(lastRawClose(store, 'NOPE')).toBeUndefined();
    } finally {
      db.close();
    }
  });
});

describe('sessionTimes (memoised by day)', () => {
  it('gives fresh Date objects each call, so a caller changing one changes nothing for the next', () => {
    const a = sessionTimes('2024-07-03'); // an early close
    a.open.setTime(0);
    const b = sessionTimes('2024-07-03');
    expect(b.open.toISOString()).toBe('2024-07-03T13:30:00.000Z');
    expect(b.close.toISOString()).toBe('2024-07-03T17:00:00.000Z');
    expect(sessionTimes('2024-01-08').close.toISOString()).toBe('2024-01-08T21:00:00.000Z');
  });
});
