import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/data/store/database.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { OrderRejectedError } from '../../src/execution/brokers/broker.js';
import { PaperBroker } from '../../src/execution/brokers/paper/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { bar } from './helpers.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC'] as const;
const INITIAL = 10_000;

let dir: string;
let db: Database.Database;
let bars: BarStore;
let run = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-paper-prop-'));
  db = openDatabase(dir);
  bars = new BarStore(db);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('paper broker properties', () => {
  it('random buy/sell sequences: equity is conserved minus slippage, cash and quantities never go negative', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 100, max: 50_000 }), fc.integer({ min: 100, max: 50_000 }), fc.integer({ min: 100, max: 50_000 })),
        fc.integer({ min: 0, max: 50 }),
        fc.boolean(),
        fc.array(
          fc.record({ symbol: fc.constantFrom(...SYMBOLS), side: fc.constantFrom('buy' as const, 'sell' as const), qty: fc.integer({ min: 1, max: 80 }) }),
          { maxLength: 25 },
        ),
        async (cents, slippageBps, partial, ops) => {
          // Placed during the session of the store's last bar, every market order fills at that
          // close, the same price positions are valued at: the only change in equity is slippage.
          SYMBOLS.forEach((s, i) => bars.replaceBars(s, 'prop', [bar('2024-01-09', 1, 1, 1, 1), bar('2024-01-10', cents[i] / 100, cents[i] / 100, cents[i] / 100, cents[i] / 100)]));
          const b = new PaperBroker({
            db, bars, account: `PROP${(run += 1)}`, clock: new ManualClock('2024-01-10T15:00:00Z'), slippageBps,
            fillPolicy: partial ? { partialFillFraction: 0.5 } : {},
          });
          b.reset(INITIAL);
          let k = 0;
          for (const op of ops) {
            k += 1;
            try {
              const o = await b.submitOrder({ symbol: op.symbol, side: op.side, qty: op.qty, type: 'market', timeInForce: 'day', clientOrderId: `p-${k}` });
              const done = await b.waitForFill(o.id, { timeoutMs: 1_000, pollMs: 1 });
              expect(done.status).toBe('filled');
            } catch (err) {
              if (!(err instanceof OrderRejectedError)) throw err;
              expect(err.reason).toMatch(/insufficient/);
            }
            const account = await b.getAccount();
            const positions = await b.getPositions();
            expect(account.cash).toBeGreaterThanOrEqual(-1e-9);
            for (const p of positions) expect(p.qty).toBeGreaterThan(0);
            const slippage = b.getFills().reduce((a, f) => a + f.qty * Math.abs(f.price - f.basePrice), 0);
            const value = positions.reduce((a, p) => a + p.marketValue, 0);
            expect(account.cash + value).toBeCloseTo(INITIAL - slippage, 6);
            expect(account.equity).toBeCloseTo(account.cash + value, 9);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
