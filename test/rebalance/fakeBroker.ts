/**
 * A small in-memory Broker for exact control of the order life cycle in tests: the market
 * session follows a ManualClock and the NYSE calendar; a day order sent while the market is
 * closed is 'accepted' (queued) and fills only at a list read after the open; per-symbol
 * behaviours model a venue that never fills, an order missing from one list answer, and an order
 * status Atlas does not know. Every call is counted.
 */
import { isMarketOpenAt, nextOpenAfter } from '../../src/calendar/nyse.js';
import type { ManualClock } from '../../src/core/clock.js';
import { AtlasError } from '../../src/core/errors.js';
import type { Account, Asset, Broker, MarketClock, Order, OrderQuery, OrderRequest, Position } from '../../src/execution/brokers/broker.js';
import { isTerminal } from '../../src/execution/brokers/broker.js';

export type Behaviour = { kind: 'fill' } | { kind: 'never' } | { kind: 'hideOnce' } | { kind: 'unknownFor'; lists: number; raw: string } | { kind: 'fillAfterLists'; lists: number };

export class FakeBroker implements Broker {
  readonly name = 'fake';
  cash: number;
  readonly positions = new Map<string, number>();
  readonly orders: Order[] = [];
  readonly calls: Record<string, number> = {};
  readonly behaviours = new Map<string, Behaviour>();
  private readonly lists = new Map<string, number>();
  private seq = 0;

  constructor(
    readonly clock: ManualClock,
    readonly prices: Record<string, number>,
    cash: number,
  ) {
    this.cash = cash;
  }

  private count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  n(name: string): number {
    return this.calls[name] ?? 0;
  }

  private open(): boolean {
    return isMarketOpenAt(this.clock.now());
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  getAccount(): Promise<Account> {
    this.count('getAccount');
    let value = 0;
    for (const [s, q] of this.positions) value += q * this.prices[s];
    const equity = this.cash + value;
    const reserved = this.orders.filter((o) => !isTerminal(o.status) && o.side === 'buy').reduce((a, o) => a + (o.qty - o.filledQty) * this.prices[o.symbol], 0);
    const bp = Math.max(0, this.cash - reserved);
    return Promise.resolve({ id: 'fake', cash: this.cash, buyingPower: bp, equity, portfolioValue: equity, currency: 'USD', status: 'ACTIVE', tradingBlocked: false, accountBlocked: false, tradeSuspendedByUser: false, multiplier: 1, nonMarginableBuyingPower: bp, daytradeCount: 0, patternDayTrader: false });
  }

  getPositions(): Promise<Position[]> {
    this.count('getPositions');
    return Promise.resolve([...this.positions].map(([symbol, qty]) => ({ symbol, qty, avgEntryPrice: this.prices[symbol], marketValue: qty * this.prices[symbol], currentPrice: this.prices[symbol], side: 'long' as const })));
  }

  getAsset(symbol: string): Promise<Asset | undefined> {
    return Promise.resolve(this.prices[symbol] === undefined ? undefined : { symbol, tradable: true, status: 'active', fractionable: false, exchange: 'NASDAQ' });
  }

  getClock(): Promise<MarketClock> {
    this.count('getClock');
    const now = this.clock.now();
    return Promise.resolve({ timestamp: now, isOpen: this.open(), nextOpen: nextOpenAfter(now), nextClose: now });
  }

  submitOrder(req: OrderRequest): Promise<Order> {
    this.count('submitOrder');
    const existing = this.orders.find((o) => o.clientOrderId === req.clientOrderId);
    if (existing) return Promise.resolve({ ...existing });
    const o: Order = {
      id: `fake-${++this.seq}`, clientOrderId: req.clientOrderId, symbol: req.symbol, side: req.side, qty: req.qty, filledQty: 0, filledAvgPrice: null,
      type: req.type, limitPrice: null, timeInForce: req.timeInForce, status: this.open() ? 'new' : 'accepted', submittedAt: this.clock.now(), filledAt: null,
    };
    this.orders.push(o);
    return Promise.resolve({ ...o });
  }

  private fill(o: Order): void {
    const p = this.prices[o.symbol];
    o.status = 'filled';
    o.filledQty = o.qty;
    o.filledAvgPrice = p;
    o.filledAt = this.clock.now();
    const held = this.positions.get(o.symbol) ?? 0;
    if (o.side === 'buy') {
      this.cash -= o.qty * p;
      this.positions.set(o.symbol, held + o.qty);
    } else {
      this.cash += o.qty * p;
      if (held - o.qty === 0) this.positions.delete(o.symbol);
      else this.positions.set(o.symbol, held - o.qty);
    }
  }

  /** What a read shows of an order: the venue moves on list reads while the market is open. */
  private view(o: Order): Order {
    const b = this.behaviours.get(o.symbol) ?? { kind: 'fill' };
    const reads = (this.lists.get(o.id) ?? 0) + 1;
    this.lists.set(o.id, reads);
    if (!isTerminal(o.status) && this.open()) {
      if (b.kind === 'fill' || b.kind === 'hideOnce') this.fill(o);
      else if (b.kind === 'fillAfterLists' && reads >= b.lists) this.fill(o);
      else if (b.kind === 'unknownFor') {
        if (reads > b.lists) this.fill(o);
        else return { ...o, status: 'unknown', rawStatus: b.raw };
      }
    }
    return { ...o };
  }

  getOrder(id: string): Promise<Order> {
    this.count('getOrder');
    const o = this.orders.find((x) => x.id === id);
    if (!o) return Promise.reject(new AtlasError(`no order ${id}`, { code: 'ORDER_NOT_FOUND' }));
    return Promise.resolve({ ...o });
  }

  getOrderByClientId(cid: string): Promise<Order | undefined> {
    this.count('getOrderByClientId');
    const o = this.orders.find((x) => x.clientOrderId === cid);
    return Promise.resolve(o ? { ...o } : undefined);
  }

  listOpenOrders(): Promise<Order[]> {
    this.count('listOpenOrders');
    return Promise.resolve(this.orders.filter((o) => !isTerminal(o.status)).map((o) => ({ ...o })));
  }

  listOrders(q: OrderQuery): Promise<Order[]> {
    this.count('listOrders');
    const out: Order[] = [];
    for (const o of this.orders) {
      if (q.after && o.submittedAt.getTime() <= q.after.getTime()) continue;
      const b = this.behaviours.get(o.symbol);
      if (b?.kind === 'hideOnce' && !this.lists.has(`hidden:${o.id}`)) {
        this.lists.set(`hidden:${o.id}`, 1);
        continue;
      }
      out.push(this.view(o));
    }
    return Promise.resolve(out);
  }

  cancelOrder(id: string): Promise<void> {
    this.count('cancelOrder');
    const o = this.orders.find((x) => x.id === id);
    if (!o) return Promise.reject(new AtlasError(`no order ${id}`, { code: 'ORDER_NOT_FOUND' }));
    if (!isTerminal(o.status)) {
      o.status = 'canceled';
      o.canceledAt = this.clock.now();
    }
    return Promise.resolve();
  }

  waitForFill(id: string): Promise<Order> {
    return this.getOrder(id);
  }

  /** `atlas paper reset`: the broker forgets every order. */
  forgetOrders(): void {
    this.orders.splice(0);
  }
}
