import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/data/store/database.js';
import { BarStore } from '../../src/data/store/barStore.js';
import type { DailyBar } from '../../src/data/bar.js';
import { PaperBroker, type PaperBrokerOptions } from '../../src/execution/brokers/paper/index.js';
import type { OrderRequest } from '../../src/execution/brokers/broker.js';
import { ManualClock } from '../../src/core/clock.js';

/** The one Clock, moved by hand (set) or by the broker's own sleeps. */
export { ManualClock as Clock };

/** A session instant with the store's last bar present: Wednesday 2024-01-10, 10:00 ET. */
export const SESSION = '2024-01-10T15:00:00Z';

export function bar(date: string, open: number, high: number, low: number, close: number): DailyBar {
  return { date, open, high, low, close, adjClose: close, volume: 1_000_000 };
}

/**
 * AAA and BBB trade 2024-01-02 .. 2024-01-10 (Jan 2024: New York is UTC-5, the session is
 * 14:30Z-21:00Z). AAA's open is close - 1 each day; BBB is flat at 50. OLD stopped in 2023.
 */
export const AAA: DailyBar[] = [
  bar('2024-01-02', 99, 102, 98, 100),
  bar('2024-01-03', 100, 103, 99, 101),
  bar('2024-01-04', 101, 104, 100, 102),
  bar('2024-01-05', 102, 105, 101, 103),
  bar('2024-01-08', 104, 107, 103, 106),
  bar('2024-01-09', 106, 109, 105, 108),
  bar('2024-01-10', 108, 111, 107, 110),
];
export const BBB: DailyBar[] = AAA.map((b) => bar(b.date, 50, 50, 50, 50));
export const OLD: DailyBar[] = [bar('2023-06-01', 10, 10, 10, 10), bar('2023-06-02', 10, 10, 10, 10)];

export function seedStore(dir: string): { db: Database.Database; bars: BarStore } {
  const db = openDatabase(dir);
  const bars = new BarStore(db);
  bars.replaceBars('AAA', 'test', AAA);
  bars.replaceBars('BBB', 'test', BBB);
  bars.replaceBars('OLD', 'test', OLD);
  return { db, bars };
}

export function paper(store: { db: Database.Database; bars: BarStore }, clock: ManualClock, over: Partial<PaperBrokerOptions> = {}): PaperBroker {
  return new PaperBroker({ db: store.db, bars: store.bars, account: 'LARGE', clock, ...over });
}

let n = 0;
export function mkt(symbol: string, side: 'buy' | 'sell', qty: number, over: Partial<OrderRequest> = {}): OrderRequest {
  n += 1;
  return { symbol, side, qty, type: 'market', timeInForce: 'day', clientOrderId: `t-${process.pid}-${n}`, ...over };
}

export const WAIT = { timeoutMs: 1_000, pollMs: 10 };
