import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { isMarketOpenAt, nyDateOf, sessionsBetween, sessionTimes } from '../../src/calendar/nyse.js';
import { ManualClock } from '../../src/core/clock.js';
import type { DailyBar } from '../../src/data/bar.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { firstSessionAfter, PaperBroker } from '../../src/execution/brokers/paper/index.js';
import { bar } from './helpers.js';

// Every session from December 2023 to February 2024, each with its own open and close, so a fill's
// price names the bar it came from.
const SESSIONS = sessionsBetween('2023-12-01', '2024-02-29');
const BARS: DailyBar[] = SESSIONS.map((d, i) => bar(d, 100 + i, 100.75 + i, 99.5 + i, 100.5 + i));
const BY_DATE = new Map(BARS.map((b) => [b.date, b]));
const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2024-01-31T23:59:59Z');

let dir: string;
let db: Database.Database;
let bars: BarStore;
let run = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-paper-queued-'));
  db = openDatabase(dir);
  bars = new BarStore(db);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('orders placed while the market is closed (property)', () => {
  it('fill at the open of the next session, only once that bar is in the store, never at a price from before the order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: FROM, max: TO }),
        // The store initially ends somewhere between late December and the end of February.
        fc.integer({ min: SESSIONS.indexOf('2023-12-29'), max: SESSIONS.length - 1 }),
        fc.array(fc.integer({ min: 0, max: 20 * 86_400_000 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('day' as const, 'gtc' as const),
        async (placedMs, cutoff, gaps, timeInForce) => {
          bars.replaceBars('AAA', 'prop', BARS.slice(0, cutoff + 1));
          const storeEnd = SESSIONS[cutoff];
          const placed = new Date(placedMs);
          const clock = new ManualClock(placed);
          const b = new PaperBroker({ db, bars, account: `Q${(run += 1)}`, clock, slippageBps: 0 });
          const open = isMarketOpenAt(placed);
          const o = await b.submitOrder({ symbol: 'AAA', side: 'buy', qty: 1, type: 'market', timeInForce, clientOrderId: `q-${run}` });
          expect(o.status).toBe(open ? 'new' : 'accepted');
          const session = open ? nyDateOf(placed) : firstSessionAfter(placed);
          const sessionOpen = sessionTimes(session).open.getTime();

          let t = placedMs;
          for (const gap of [...gaps.sort((x, y) => x - y), 40 * 86_400_000]) {
            if (gap === 40 * 86_400_000) bars.replaceBars('AAA', 'prop', BARS); // the rest of the data arrives
            t = Math.max(t, placedMs + gap);
            clock.set(t);
            const now = await b.getOrder(o.id);
            const barThere = session <= (gap === 40 * 86_400_000 ? SESSIONS[SESSIONS.length - 1] : storeEnd);
            if (open) {
              // During a session: that session's close when its bar is in the store, else the latest close before it.
              expect(now.status).toBe('filled');
              const [fill] = b.getFills(o.id);
              if (fill.basis === 'close') expect(fill.barDate).toBe(session);
              else expect(fill.barDate < session).toBe(true);
              return;
            }
            if (now.status === 'filled') {
              const [fill] = b.getFills(o.id);
              expect(fill).toMatchObject({ basis: 'open', barDate: session, basePrice: BY_DATE.get(session)!.open });
              expect(sessionOpen).toBeGreaterThan(placedMs); // the price did not exist when the order was placed
              expect(fill.filledAt.getTime()).toBeGreaterThanOrEqual(sessionOpen);
              return;
            }
            // Not filled: the session has not opened yet, or its bar is not in the store.
            expect(t < sessionOpen || !barThere).toBe(true);
            expect(now.status).toBe(t < sessionOpen ? 'accepted' : 'new');
            expect(b.getFills(o.id)).toEqual([]);
          }
          throw new Error('the order never filled although its bar arrived');
        },
      ),
      { numRuns: 80 },
    );
  });
});
