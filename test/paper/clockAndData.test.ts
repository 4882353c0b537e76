import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionTimes } from '../../src/calendar/nyse.js';
import { ManualClock, type Clock } from '../../src/core/clock.js';
import { MAX_WAIT_POLLS } from '../../src/execution/brokers/paper/index.js';
import { useTempDirs } from '../support/tmp.js';
import { AAA, bar, mkt, paper, seedStore, SESSION, WAIT } from './helpers.js';

const tmp = useTempDirs();

/** A ManualClock that records every sleep asked of it. */
class CountingClock extends ManualClock {
  readonly sleeps: number[] = [];
  override sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return super.sleep(ms);
  }
}

describe('a bar dated in the future', () => {
  it('does not deactivate other symbols, does not keep its own symbol alive, and is never priced', async () => {
    const store = seedStore(tmp());
    const clock = new ManualClock(SESSION);
    const b = paper(store, clock);
    const held = await b.submitOrder(mkt('AAA', 'buy', 5));
    expect((await b.waitForFill(held.id, WAIT)).status).toBe('filled');
    store.bars.upsertBars('BBB', 'import', [bar('2099-01-02', 999, 999, 999, 999)]); // a mistyped import
    store.bars.upsertBars('OLD', 'import', [bar('2099-01-02', 999, 999, 999, 999)]);
    store.bars.replaceBars('FUT', 'import', [bar('2099-01-02', 5, 5, 5, 5)]);
    expect(await b.getAsset('AAA')).toMatchObject({ status: 'active', tradable: true });
    expect(await b.getAsset('BBB')).toMatchObject({ status: 'active', tradable: true });
    expect(await b.getAsset('OLD')).toMatchObject({ status: 'inactive', tradable: false }); // last real bar 2023
    expect(await b.getAsset('FUT')).toMatchObject({ status: 'inactive', tradable: false }); // no bar up to today
    // A sell of the held position still goes through, at a real price.
    const sell = await b.submitOrder(mkt('AAA', 'sell', 5));
    expect((await b.waitForFill(sell.id, WAIT)).status).toBe('filled');
    expect(b.getFills(sell.id)[0]).toMatchObject({ barDate: '2024-01-10', basePrice: 110 });
    const buy = await b.submitOrder(mkt('BBB', 'buy', 1));
    expect(b.getFills((await b.waitForFill(buy.id, WAIT)).id)[0]).toMatchObject({ barDate: '2024-01-10', basePrice: 50 });
    const trades = await b.getLatestTrades(['BBB', 'FUT']);
    expect(trades.get('BBB')?.price).toBe(50);
    expect(trades.has('FUT')).toBe(false);
  });
});

describe('waitForFill runs on the broker clock', () => {
  it('sleeps on the given clock between polls: a queued order waits through a simulated weekend and fills at the open', async () => {
    const store = seedStore(tmp());
    const clock = new CountingClock('2024-01-05T22:00:00Z'); // Friday 17:00 ET
    const b = paper(store, clock);
    const o = await b.submitOrder(mkt('AAA', 'buy', 2));
    const hour = 3_600_000;
    const done = await b.waitForFill(o.id, { timeoutMs: 4 * 24 * hour, pollMs: hour });
    expect(done.status).toBe('filled');
    const open = sessionTimes('2024-01-08').open.getTime();
    // Filled by the first poll at or after Monday's open, not before it and not later.
    expect(done.filledAt!.getTime()).toBeGreaterThanOrEqual(open);
    expect(done.filledAt!.getTime()).toBeLessThan(open + hour);
    expect(clock.now().getTime()).toBe(Date.parse('2024-01-05T22:00:00Z') + clock.sleeps.reduce((a, x) => a + x, 0));
    expect(clock.sleeps.every((ms) => ms === hour)).toBe(true);
  });

  it('returns the open order once the timeout of clock time has passed, without throwing', async () => {
    const store = seedStore(tmp());
    const clock = new CountingClock('2024-01-13T18:00:00Z'); // Saturday; the store has no bar for the next session
    const b = paper(store, clock);
    const o = await b.submitOrder(mkt('AAA', 'buy', 1));
    const r = await b.waitForFill(o.id, { timeoutMs: 5_000, pollMs: 1_000 });
    expect(r.status).toBe('accepted');
    expect(clock.sleeps).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
    expect(clock.now().toISOString()).toBe('2024-01-13T18:00:05.000Z');
  });

  it('is bounded by a poll count when the clock does not move', async () => {
    const store = seedStore(tmp());
    const frozen: Clock & { sleeps: number } = { sleeps: 0, now: () => new Date('2024-01-13T18:00:00Z'), sleep() { this.sleeps += 1; return Promise.resolve(); } };
    const b = paper(store, new ManualClock(SESSION), { clock: frozen });
    const o = await b.submitOrder(mkt('AAA', 'buy', 1));
    const r = await b.waitForFill(o.id, { timeoutMs: 60_000, pollMs: 0 });
    expect(r.status).toBe('accepted');
    expect(frozen.sleeps).toBe(MAX_WAIT_POLLS - 1);
  });
});

describe('listOrders', () => {
  it('filters by status (open, closed, all), submission time and limit, newest first', async () => {
    const store = seedStore(tmp());
    const clock = new ManualClock('2024-01-08T15:00:00Z');
    const b = paper(store, clock);
    const filled = await b.submitOrder(mkt('AAA', 'buy', 1)); // fills at Monday's close
    clock.set('2024-01-08T16:00:00Z');
    const working = await b.submitOrder(mkt('BBB', 'buy', 1, { type: 'limit', limitPrice: 10, timeInForce: 'gtc' }));
    clock.set('2024-01-08T17:00:00Z');
    const canceled = await b.submitOrder(mkt('BBB', 'buy', 1, { type: 'limit', limitPrice: 11, timeInForce: 'gtc' }));
    await b.cancelOrder(canceled.id);
    clock.set('2024-01-13T18:00:00Z');
    const queued = await b.submitOrder(mkt('AAA', 'buy', 1)); // Saturday: accepted
    const ids = (os: { id: string }[]) => os.map((o) => o.id);
    expect(ids(await b.listOrders({ status: 'open' }))).toEqual([queued.id, working.id]);
    expect(ids(await b.listOrders({ status: 'closed' }))).toEqual([canceled.id, filled.id]);
    expect(ids(await b.listOrders({ status: 'all' }))).toEqual([queued.id, canceled.id, working.id, filled.id]);
    expect(ids(await b.listOrders({ status: 'all', limit: 2 }))).toEqual([queued.id, canceled.id]);
    expect(ids(await b.listOrders({ status: 'all', after: new Date('2024-01-08T16:00:00Z') }))).toEqual([queued.id, canceled.id]);
    expect(ids(await b.listOrders({ status: 'closed', after: new Date('2024-01-08T15:30:00Z') }))).toEqual([canceled.id]);
    expect((await b.listOpenOrders()).map((o) => o.status)).toEqual(['new', 'accepted']);
  });
});

describe('getLatestTrades', () => {
  it('never reveals a bar before its session has closed (property)', async () => {
    const store = seedStore(tmp());
    store.bars.upsertBars('AAA', 'import', [bar('2099-01-02', 1, 1, 1, 1)]);
    const clock = new ManualClock(SESSION);
    const b = paper(store, clock);
    const from = Date.parse('2024-01-01T00:00:00Z');
    const to = Date.parse('2024-01-16T00:00:00Z');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: from, max: to }), async (t) => {
        clock.set(t);
        const trade = (await b.getLatestTrades(['AAA', 'ZZZ'])).get('AAA');
        expect((await b.getLatestTrades(['ZZZ'])).size).toBe(0);
        const closed = AAA.filter((x) => sessionTimes(x.date).close.getTime() <= t);
        if (closed.length === 0) {
          expect(trade).toBeUndefined();
          return;
        }
        const last = closed[closed.length - 1];
        expect(trade).toEqual({ price: last.close, at: sessionTimes(last.date).close });
        expect(trade!.at.getTime()).toBeLessThanOrEqual(t);
      }),
      { numRuns: 200 },
    );
    // At the close instant itself the bar counts; a moment before, it does not.
    clock.set(sessionTimes('2024-01-10').close);
    expect((await b.getLatestTrades(['AAA'])).get('AAA')?.price).toBe(110);
    clock.set(sessionTimes('2024-01-10').close.getTime() - 1);
    expect((await b.getLatestTrades(['AAA'])).get('AAA')?.price).toBe(108);
  });
});
