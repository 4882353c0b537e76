import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal, OrderRejectedError, type Order, type OrderStatus } from '../../src/execution/brokers/broker.js';
import { openDatabase } from '../../src/data/store/database.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { PaperBroker } from '../../src/execution/brokers/paper/index.js';
import { useTempDirs } from '../support/tmp.js';
import { bar, Clock, mkt, paper, seedStore, SESSION, WAIT } from './helpers.js';

const tmp = useTempDirs();
const SLIP = 5 / 10_000;

async function rejection(p: Promise<unknown>): Promise<OrderRejectedError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OrderRejectedError);
    return err as OrderRejectedError;
  }
  throw new Error('expected an OrderRejectedError');
}

describe('paper broker fills', () => {
  it('fills a market order placed after the close at the next session open, with slippage against the trader', async () => {
    const store = seedStore(tmp());
    const clock = new Clock('2024-01-05T22:00:00Z'); // Friday 17:00 ET
    const b = paper(store, clock);
    const order = await b.submitOrder(mkt('AAA', 'buy', 10));
    expect(order.status).toBe('accepted'); // queued for the next open, as Alpaca does
    // Monday's bar is in the store but Monday has not opened at `now`: nothing can happen yet.
    const waiting = await b.waitForFill(order.id, WAIT);
    expect(waiting.status).toBe('accepted');
    clock.set('2024-01-08T15:00:00Z'); // Monday 10:00 ET
    const filled = await b.waitForFill(order.id, WAIT);
    expect(filled.status).toBe('filled');
    expect(filled.filledQty).toBe(10);
    expect(filled.filledAvgPrice).toBeCloseTo(104 * (1 + SLIP), 10);
    expect(filled.filledAt).toEqual(clock.now());
    const [fill] = b.getFills(order.id);
    expect(fill).toMatchObject({ basis: 'open', barDate: '2024-01-08', basePrice: 104, qty: 10 });
    const account = await b.getAccount();
    expect(account.cash).toBeCloseTo(100_000 - 10 * 104 * (1 + SLIP), 6);
    // Valued at the latest close known on Monday 10:00 ET: Monday's bar (the store's bar for a date counts from its open).
    expect(account.equity).toBeCloseTo(account.cash + 10 * 106, 6);
    const [pos] = await b.getPositions();
    expect(pos).toMatchObject({ symbol: 'AAA', qty: 10, side: 'long' });
    expect(pos.avgEntryPrice).toBeCloseTo(104 * (1 + SLIP), 10);
  });

  it('sells lower by the slippage', async () => {
    const store = seedStore(tmp());
    const clock = new Clock('2024-01-05T22:00:00Z');
    const b = paper(store, clock);
    clock.set('2024-01-08T15:00:00Z');
    const buy = await b.submitOrder(mkt('AAA', 'buy', 10)); // during the session: Monday's close
    expect((await b.waitForFill(buy.id, WAIT)).filledAvgPrice).toBeCloseTo(106 * (1 + SLIP), 10);
    expect(b.getFills(buy.id)[0].basis).toBe('close');
    const sell = await b.submitOrder(mkt('AAA', 'sell', 4));
    const done = await b.waitForFill(sell.id, WAIT);
    expect(done.filledAvgPrice).toBeCloseTo(106 * (1 - SLIP), 10);
    expect((await b.getPositions())[0].qty).toBe(6);
  });

  it('uses the same-day open for an order placed before 09:30 ET on a trading day', async () => {
    const store = seedStore(tmp());
    const clock = new Clock('2024-01-08T12:00:00Z'); // Monday 07:00 ET
    const b = paper(store, clock);
    const o = await b.submitOrder(mkt('AAA', 'buy', 1));
    expect((await b.waitForFill(o.id, WAIT)).status).toBe('accepted');
    clock.set('2024-01-08T14:30:00Z');
    const f = await b.waitForFill(o.id, WAIT);
    expect(f.status).toBe('filled');
    expect(b.getFills(o.id)[0]).toMatchObject({ basis: 'open', barDate: '2024-01-08' });
  });

  it('an order placed while closed waits for its session bar instead of filling at the last close', async () => {
    const store = seedStore(tmp());
    const clock = new Clock('2024-01-13T18:00:00Z'); // Saturday; next session Tue 16th (MLK Monday), not in the store
    const b = paper(store, clock);
    const o = await b.submitOrder(mkt('AAA', 'buy', 3));
    expect((await b.waitForFill(o.id, WAIT)).status).toBe('accepted');
    clock.set('2024-01-16T16:00:00Z'); // Tuesday 11:00 ET: the session is open, its bar is not in the store yet
    expect((await b.waitForFill(o.id, WAIT)).status).toBe('new');
    clock.set('2024-01-17T16:00:00Z'); // a day later, still no bar: the bar decides, not the wall clock
    expect((await b.getOrder(o.id)).status).toBe('new');
    expect(b.getFills(o.id)).toEqual([]);
    store.bars.upsertBars('AAA', 'test', [bar('2024-01-16', 111, 115, 110, 114)]);
    const f = await b.getOrder(o.id);
    expect(f.status).toBe('filled');
    expect(b.getFills(o.id)[0]).toMatchObject({ basis: 'open', barDate: '2024-01-16', basePrice: 111 });
  });

  it("an order placed during a session whose bar the store lacks fills at the latest close, recorded as 'last_close'", async () => {
    const store = seedStore(tmp());
    const clock = new Clock('2024-01-16T16:00:00Z'); // Tuesday 11:00 ET; the store ends on the 10th
    const b = paper(store, clock);
    const o = await b.submitOrder(mkt('AAA', 'buy', 3));
    expect(o.status).toBe('new');
    const f = await b.waitForFill(o.id, WAIT);
    expect(f.status).toBe('filled');
    expect(f.filledAvgPrice).toBeCloseTo(110 * (1 + SLIP), 10);
    expect(b.getFills(o.id)[0]).toMatchObject({ basis: 'last_close', barDate: '2024-01-10', basePrice: 110 });
  });

  it('a day order expires when its session passed without a bar for the symbol; a gtc order trades at the next bar', async () => {
    const store = seedStore(tmp());
    store.bars.replaceBars('GAP', 'test', [bar('2024-01-05', 20, 20, 20, 20), bar('2024-01-09', 21, 22, 20, 21)]); // no bar on Monday the 8th
    const clock = new Clock('2024-01-06T18:00:00Z'); // Saturday
    const b = paper(store, clock);
    const day = await b.submitOrder(mkt('GAP', 'buy', 1));
    const gtc = await b.submitOrder(mkt('GAP', 'buy', 1, { timeInForce: 'gtc' }));
    clock.set('2024-01-09T15:00:00Z');
    expect((await b.getOrder(day.id)).status).toBe('expired');
    expect((await b.getOrder(day.id)).rejectReason).toMatch(/did not trade in the 2024-01-08 session/);
    expect((await b.getOrder(gtc.id)).status).toBe('filled');
    expect(b.getFills(gtc.id)[0]).toMatchObject({ basis: 'open', barDate: '2024-01-09', basePrice: 21 });
  });

  it('fills limit orders only when the bar reaches the limit; a gap through the limit fills at the open', async () => {
    const store = seedStore(tmp());
    const clock = new Clock('2024-01-05T22:00:00Z');
    const b = paper(store, clock);
    const below = await b.submitOrder(mkt('AAA', 'buy', 1, { type: 'limit', limitPrice: 90, timeInForce: 'gtc' }));
    const touch = await b.submitOrder(mkt('AAA', 'buy', 1, { type: 'limit', limitPrice: 103.5, timeInForce: 'day' }));
    const gap = await b.submitOrder(mkt('AAA', 'buy', 1, { type: 'limit', limitPrice: 120, timeInForce: 'day' }));
    const dayMiss = await b.submitOrder(mkt('AAA', 'buy', 1, { type: 'limit', limitPrice: 95, timeInForce: 'day' }));
    clock.set('2024-01-10T22:00:00Z');
    const orders = new Map((await Promise.all([below, touch, gap, dayMiss].map((o) => b.waitForFill(o.id, WAIT)))).map((o) => [o.id, o]));
    expect(orders.get(below.id)!.status).toBe('new'); // gtc, low never <= 90
    expect(orders.get(touch.id)!.status).toBe('filled'); // Monday low 103 <= 103.5 < open 104
    expect(orders.get(touch.id)!.filledAvgPrice).toBe(103.5); // slippage never fills through the limit
    expect(b.getFills(touch.id)[0]).toMatchObject({ basis: 'limit', barDate: '2024-01-08' });
    expect(orders.get(gap.id)!.filledAvgPrice).toBeCloseTo(104 * (1 + SLIP), 10);
    expect(orders.get(dayMiss.id)!.status).toBe('expired');
    expect((await b.listOpenOrders()).map((o) => o.id)).toEqual([below.id]);
  });

  it('refuses a buy larger than the cash (including cash reserved by open buys) and a sell larger than the position', async () => {
    const store = seedStore(tmp());
    const clock = new Clock(SESSION);
    const b = paper(store, clock, { initialCash: 1_000 });
    const big = await rejection(b.submitOrder(mkt('AAA', 'buy', 10))); // ~1100.55 > 1000
    expect(big.reason).toMatch(/insufficient cash/);
    expect(big.clientOrderId).toMatch(/^t-/);
    const sell = await rejection(b.submitOrder(mkt('AAA', 'sell', 1)));
    expect(sell.reason).toMatch(/insufficient quantity/);
    const frac = await rejection(b.submitOrder(mkt('AAA', 'buy', 1.5)));
    expect(frac.reason).toMatch(/fractional/);
    const unknown = await rejection(b.submitOrder(mkt('ZZZ', 'buy', 1)));
    expect(unknown.reason).toMatch(/no bars/);
    const stale = await rejection(b.submitOrder(mkt('OLD', 'buy', 1)));
    expect(stale.reason).toMatch(/not active/);
    expect((await b.getAccount()).cash).toBe(1_000);
    expect(b.listOrdersNow({ status: 'all' })).toEqual([]);
  });

  it('allows fractional quantities when the account does', async () => {
    const store = seedStore(tmp());
    const b = paper(store, new Clock(SESSION), { allowFractional: true });
    const o = await b.submitOrder(mkt('BBB', 'buy', 1.25));
    expect((await b.waitForFill(o.id, WAIT)).filledQty).toBe(1.25);
    expect((await b.getAsset('BBB'))?.fractionable).toBe(true);
  });

  it('rejects at fill time when a gap makes the buy cost more than the cash', async () => {
    const store = seedStore(tmp());
    const clock = new Clock('2024-01-05T22:00:00Z');
    const b = paper(store, clock, { initialCash: 1_032 }); // 10 x 103 (Friday close) + slippage fits; Monday opens at 104
    const o = await b.submitOrder(mkt('AAA', 'buy', 10));
    clock.set('2024-01-08T15:00:00Z');
    const r = await b.waitForFill(o.id, WAIT);
    expect(r.status).toBe('rejected');
    expect(r.rejectReason).toMatch(/insufficient cash at fill/);
    expect((await b.getAccount()).cash).toBe(1_032);
  });
});

describe('paper broker conventions', () => {
  it('is idempotent per clientOrderId', async () => {
    const store = seedStore(tmp());
    const b = paper(store, new Clock(SESSION));
    const req = mkt('AAA', 'buy', 2);
    const a = await b.submitOrder(req);
    const again = await b.submitOrder(req);
    expect(again.id).toBe(a.id);
    await b.waitForFill(a.id, WAIT);
    const third = await b.submitOrder({ ...req, qty: 5 });
    expect(third.id).toBe(a.id);
    expect(third.status).toBe('filled');
    expect(b.listOrdersNow({ status: 'all' })).toHaveLength(1);
    expect((await b.getPositions())[0].qty).toBe(2);
    expect((await b.getOrderByClientId(req.clientOrderId))?.id).toBe(a.id);
    expect(await b.getOrderByClientId('nope')).toBeUndefined();
  });

  it('getOrder of an unknown id throws ORDER_NOT_FOUND; cancel of a final order is refused', async () => {
    const store = seedStore(tmp());
    const b = paper(store, new Clock(SESSION));
    await expect(b.getOrder('missing')).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    await expect(b.cancelOrder('missing')).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    const o = await b.submitOrder(mkt('AAA', 'buy', 1));
    await b.waitForFill(o.id, WAIT);
    await expect(b.cancelOrder(o.id)).rejects.toMatchObject({ code: 'ORDER_NOT_CANCELABLE' });
  });

  it('reports assets from the store and the clock from the NYSE calendar', async () => {
    const store = seedStore(tmp());
    const b = paper(store, new Clock('2024-01-05T22:00:00Z'));
    expect(await b.getAsset('AAA')).toEqual({ symbol: 'AAA', tradable: true, status: 'active', fractionable: false, exchange: 'PAPER' });
    expect(await b.getAsset('OLD')).toMatchObject({ tradable: false, status: 'inactive' });
    expect(await b.getAsset('ZZZ')).toBeUndefined();
    const clock = await b.getClock();
    expect(clock.isOpen).toBe(false);
    expect(clock.nextOpen.toISOString()).toBe('2024-01-08T14:30:00.000Z');
    expect(clock.nextClose.toISOString()).toBe('2024-01-08T21:00:00.000Z');
    const open = await paper(store, new Clock('2024-01-08T15:00:00Z')).getClock();
    expect(open).toMatchObject({ isOpen: true });
    expect(open.nextClose.toISOString()).toBe('2024-01-08T21:00:00.000Z');
  });

  it('persists cash, positions and orders across re-opening the store', async () => {
    const dir = tmp();
    const store = seedStore(dir);
    const clock = new Clock(SESSION);
    const b = paper(store, clock);
    const o = await b.submitOrder(mkt('AAA', 'buy', 5));
    await b.waitForFill(o.id, WAIT);
    const open = await b.submitOrder(mkt('AAA', 'buy', 1, { type: 'limit', limitPrice: 50, timeInForce: 'gtc' }));
    const before = await b.getAccount();
    store.db.close();
    const db = openDatabase(dir);
    try {
      const again = new PaperBroker({ db, bars: new BarStore(db), account: 'large', clock });
      expect(await again.getAccount()).toEqual(before);
      expect((await again.getPositions())[0]).toMatchObject({ symbol: 'AAA', qty: 5 });
      expect((await again.getOrder(o.id)).status).toBe('filled');
      expect((await again.listOpenOrders()).map((x) => x.id)).toEqual([open.id]);
      // Another account in the same store is separate.
      const mid = new PaperBroker({ db, bars: new BarStore(db), account: 'MID', clock, initialCash: 5_000 });
      expect((await mid.getAccount()).cash).toBe(5_000);
      await expect(mid.getOrder(o.id)).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    } finally {
      db.close();
    }
  });

  it('reset starts the account over: positions dropped, open orders canceled, history kept', async () => {
    const store = seedStore(tmp());
    const clock = new Clock(SESSION);
    const b = paper(store, clock);
    const o = await b.submitOrder(mkt('AAA', 'buy', 5));
    await b.waitForFill(o.id, WAIT);
    const working = await b.submitOrder(mkt('BBB', 'buy', 2, { type: 'limit', limitPrice: 40, timeInForce: 'gtc' }));
    clock.set('2024-01-13T18:00:00Z');
    const queued = await b.submitOrder(mkt('BBB', 'buy', 3)); // accepted, for the next open
    const canceled = b.reset(25_000);
    expect(canceled.map((x) => x.id).sort()).toEqual([working.id, queued.id].sort());
    expect(canceled.every((x) => x.status === 'canceled' && x.rejectReason === 'canceled by paper reset')).toBe(true);
    expect(await b.getPositions()).toEqual([]);
    expect(await b.listOpenOrders()).toEqual([]);
    // The history stays: a rebalance run that placed these orders finds them, canceled, by client id.
    expect((await b.getOrderByClientId(queued.clientOrderId))?.status).toBe('canceled');
    expect((await b.getOrder(o.id)).status).toBe('filled');
    expect(b.getFills().map((f) => f.orderId)).toEqual([o.id]);
    const a = await b.getAccount();
    expect(a).toMatchObject({ cash: 25_000, equity: 25_000, buyingPower: 25_000 });
    expect(b.accountInfo().initialCash).toBe(25_000);
    // Later bars do not revive a canceled order.
    store.bars.upsertBars('BBB', 'test', [bar('2024-01-16', 30, 30, 30, 30)]);
    clock.set('2024-01-16T16:00:00Z');
    expect((await b.getOrder(queued.id)).status).toBe('canceled');
    expect((await b.getAccount()).cash).toBe(25_000);
    expect(() => b.reset(-1)).toThrow(/invalid/);
  });

  it('reserves cash for open buy orders in buying power and releases it on cancel', async () => {
    const store = seedStore(tmp());
    const b = paper(store, new Clock(SESSION), { initialCash: 1_000 });
    const o = await b.submitOrder(mkt('BBB', 'buy', 10, { type: 'limit', limitPrice: 40, timeInForce: 'gtc' }));
    expect((await b.getAccount()).buyingPower).toBe(600);
    await rejection(b.submitOrder(mkt('BBB', 'buy', 16, { type: 'limit', limitPrice: 40, timeInForce: 'gtc' })));
    await b.cancelOrder(o.id);
    const c = await b.getOrder(o.id);
    expect(c.status).toBe('canceled');
    expect(c.canceledAt).toBeInstanceOf(Date);
    expect((await b.getAccount()).buyingPower).toBe(1_000);
  });
});

describe('paper broker drills', () => {
  function statuses(seen: Order[]): OrderStatus[] {
    return seen.map((o) => o.status);
  }

  it('partial fills: a fraction first, the rest on the next poll, through legal transitions', async () => {
    const store = seedStore(tmp());
    const b = paper(store, new Clock(SESSION), { fillPolicy: { partialFillFraction: 0.3 } });
    const o = await b.submitOrder(mkt('AAA', 'buy', 10));
    const seen: Order[] = [o];
    seen.push(await b.getOrder(o.id));
    expect(seen[1]).toMatchObject({ status: 'partially_filled', filledQty: 3 });
    seen.push(await b.getOrder(o.id));
    expect(seen[2]).toMatchObject({ status: 'filled', filledQty: 10 });
    const s = statuses(seen);
    for (let i = 1; i < s.length; i++) expect(canTransition(s[i - 1], s[i])).toBe(true);
    expect(b.getFills(o.id).map((f) => f.qty)).toEqual([3, 7]);
    // waitForFill drives both polls itself.
    const o2 = await b.submitOrder(mkt('AAA', 'buy', 4));
    expect((await b.waitForFill(o2.id, WAIT)).status).toBe('filled');
    expect(b.getFills(o2.id)).toHaveLength(2);
  });

  it('never-fill: orders stay new until canceled, and waitForFill returns without throwing', async () => {
    const store = seedStore(tmp());
    const b = paper(store, new Clock(SESSION));
    b.setFillPolicy({ neverFill: ['AAA'] });
    const o = await b.submitOrder(mkt('AAA', 'buy', 1));
    const other = await b.submitOrder(mkt('BBB', 'buy', 1));
    const w = await b.waitForFill(o.id, { timeoutMs: 50, pollMs: 5 });
    expect(w.status).toBe('new');
    expect(isTerminal(w.status)).toBe(false);
    expect((await b.waitForFill(other.id, WAIT)).status).toBe('filled');
    await b.cancelOrder(o.id);
    expect((await b.getOrder(o.id)).status).toBe('canceled');
    // The stored policy is the account's: a new broker on the same account sees it.
    expect(paper(store, new Clock(SESSION)).fillPolicy()).toEqual({ neverFill: ['AAA'] });
  });

  it('rejections: a symbol, every Nth order, and after-accept mode', async () => {
    const store = seedStore(tmp());
    const clock = new Clock(SESSION);
    const bySymbol = paper(store, clock, { fillPolicy: { rejectSymbols: ['BBB'] } });
    expect((await rejection(bySymbol.submitOrder(mkt('BBB', 'buy', 1)))).reason).toMatch(/drill/);
    const nth = paper(store, clock, { account: 'MID', fillPolicy: { rejectEveryNth: 2 } });
    await nth.submitOrder(mkt('AAA', 'buy', 1));
    await rejection(nth.submitOrder(mkt('AAA', 'buy', 1)));
    await nth.submitOrder(mkt('AAA', 'buy', 1));
    await rejection(nth.submitOrder(mkt('AAA', 'buy', 1)));
    const later = paper(store, clock, { account: 'SMALL', fillPolicy: { rejectSymbols: ['AAA'], rejectMode: 'after-accept' } });
    const o = await later.submitOrder(mkt('AAA', 'buy', 1));
    expect(o.status).toBe('new');
    const r = await later.waitForFill(o.id, WAIT);
    expect(r.status).toBe('rejected');
    expect(r.rejectReason).toMatch(/drill/);
    expect(() => paper(store, clock, { fillPolicy: { partialFillFraction: 1.5 } })).toThrow(/partialFillFraction/);
  });
});
