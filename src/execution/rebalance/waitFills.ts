/**
 * @module Waiting for a phase's fills. Each cycle makes ONE list request for all working orders
 * (never one GET per order, which breaks Alpaca's 200 requests/minute with a handful of orders).
 * Where the broker pushes trade updates, the updates drive the state and the list poll is only
 * the fallback while the stream is disconnected; after every reconnect the next cycle reconciles
 * in full, since updates may have been missed. At the fill timeout, what still works is canceled
 * (or left open with --on-timeout leave).
 *
 * Callers wait only while the market is open: a run whose orders are queued for the open ends
 * 'queued' instead, so no timeout that started while the market was closed cancels anything.
 */
import { fmt } from '../../core/format.js';
import { TransientError, describeError } from '../../core/errors.js';
import type { Order, TradeUpdate, TradeUpdateStream } from '../brokers/broker.js';
import { reconcile } from '../orders/reconcile.js';
import { isLiveState } from '../orders/states.js';
import type { RunContext } from './context.js';
import { applyReports, brokerReports, type ReconcileOptions } from './reconcileRun.js';
import type { OrderLeg } from './runId.js';
import type { RunOrderRecord } from './runStore.js';
import { refOf } from './submit.js';

/** Trade updates buffered between cycles, and whether a full reconciliation is due. */
class UpdateFeed {
  private buffer: TradeUpdate[] = [];
  needFull = true;
  stream: TradeUpdateStream | undefined;

  push(u: TradeUpdate): void {
    this.buffer.push(u);
  }

  take(): TradeUpdate[] {
    const out = this.buffer;
    this.buffer = [];
    return out;
  }

  get live(): boolean {
    return this.stream?.connected === true && !this.needFull;
  }
}

async function openFeed(ctx: RunContext): Promise<UpdateFeed | undefined> {
  if (!ctx.broker.subscribeTradeUpdates) return undefined;
  const feed = new UpdateFeed();
  try {
    feed.stream = await ctx.broker.subscribeTradeUpdates((u) => feed.push(u));
    feed.stream.onReconnect(() => {
      feed.needFull = true;
    });
    return feed;
  } catch (err) {
    ctx.noteOnce('stream', `trade updates unavailable (${describeError(err)}); polling instead`);
    return undefined;
  }
}

function liveOrders(ctx: RunContext, leg: OrderLeg): RunOrderRecord[] {
  return ctx.orders(leg).filter((o) => isLiveState(o.state));
}

/** Applies pushed updates for this run's orders (others' orders are ignored). */
async function drain(ctx: RunContext, feed: UpdateFeed): Promise<void> {
  const updates = feed.take();
  if (updates.length === 0) return;
  const session = await ctx.session();
  for (const u of updates) {
    const o = ctx.runs.order(u.order.clientOrderId);
    if (!o || o.runId !== ctx.runId) continue;
    for (const e of reconcile(o, u.order, { marketOpen: session.open, nextOpen: session.nextOpen, source: 'stream' })) ctx.record(e);
  }
}

/** One poll cycle: one list request for the leg's live orders, then reconcile each. */
async function pollOnce(ctx: RunContext, orders: readonly RunOrderRecord[], opts: Omit<ReconcileOptions, 'session'>): Promise<void> {
  if (orders.length === 0) return;
  let reports: Map<string, Order | undefined>;
  try {
    reports = await brokerReports(ctx, orders);
  } catch (err) {
    if (err instanceof TransientError) {
      ctx.note(`could not poll the working orders (${describeError(err)}); will try again`);
      return;
    }
    throw err;
  }
  applyReports(ctx, orders, reports, { ...opts, session: await ctx.session() });
}

/** Polls (or follows the stream) until the leg's live orders are final or `ms` passes; true when all are final. */
async function waitUntilFinal(ctx: RunContext, leg: OrderLeg, ms: number, opts: Omit<ReconcileOptions, 'session'>): Promise<boolean> {
  const feed = await openFeed(ctx);
  try {
    const deadline = ctx.now().getTime() + ms;
    // Bounded also by a cycle count, so a clock that does not advance cannot spin forever.
    const maxRounds = Math.ceil(ms / ctx.pollMs) + 2;
    for (let round = 1; ; round++) {
      if (feed?.live) await drain(ctx, feed);
      else {
        if (feed) {
          feed.needFull = false;
          feed.take(); // the full reconciliation below supersedes anything buffered
        }
        await pollOnce(ctx, liveOrders(ctx, leg), opts);
      }
      if (liveOrders(ctx, leg).length === 0) return true;
      const left = deadline - ctx.now().getTime();
      if (left <= 0 || round >= maxRounds) return false;
      await ctx.clock.sleep(Math.min(ctx.pollMs, left));
    }
  } finally {
    await feed?.stream?.close().catch(() => undefined);
  }
}

/** Waits for the leg's fills, then cancels or leaves what still works at the fill timeout. */
export async function waitForFills(ctx: RunContext, leg: OrderLeg): Promise<void> {
  if (liveOrders(ctx, leg).length === 0) return;
  if (await waitUntilFinal(ctx, leg, ctx.fillTimeoutMs, { source: 'poll', lost: 'wait' })) return;
  await timeOut(ctx, leg);
}

async function timeOut(ctx: RunContext, leg: OrderLeg): Promise<void> {
  const secs = Math.round(ctx.fillTimeoutMs / 1000);
  const left = liveOrders(ctx, leg);
  if (ctx.onTimeout === 'leave') {
    for (const o of left) {
      const reason = `still ${o.brokerStatus ?? 'open'} at the ${secs}s fill timeout with ${fmt.shares(o.filledQty)} of ${fmt.shares(o.qty)} filled; left open (--on-timeout leave)`;
      ctx.record({ ...refOf(o), kind: 'LeftWorking', brokerOrderId: o.brokerOrderId ?? '', brokerStatus: o.brokerStatus ?? 'open', filledQty: o.filledQty, filledAvgPrice: o.filledAvgPrice, reason });
      ctx.note(`${o.side} ${o.symbol}: ${reason}`);
    }
    return;
  }
  const reason = `canceled at the ${secs}s fill timeout (--on-timeout cancel)`;
  await cancelAndConfirm(ctx, leg, left, { source: 'cancel', reason, leftReason: 'cancel requested at the fill timeout' });
}

/**
 * Requests a cancel of each order, then polls until each is final or the cancel wait passes;
 * an order whose cancel is not confirmed is recorded as left working.
 */
export async function cancelAndConfirm(
  ctx: RunContext,
  leg: OrderLeg | undefined,
  orders: readonly RunOrderRecord[],
  why: { source: 'cancel' | 'abandon'; reason: string; leftReason: string },
): Promise<void> {
  for (const o of orders) {
    if (!o.brokerOrderId) continue;
    try {
      await ctx.broker.cancelOrder(o.brokerOrderId);
    } catch (err) {
      // Already final (filled in the meantime) or a failed request: the reads below tell which.
      ctx.note(`cancel of ${o.clientOrderId} answered: ${describeError(err)}`);
    }
  }
  const ids = new Set(orders.map((o) => o.clientOrderId));
  const pending = () => ctx.orders(leg).filter((o) => ids.has(o.clientOrderId) && (isLiveState(o.state) || o.state === 'left_open'));
  const opts: Omit<ReconcileOptions, 'session'> = {
    source: why.source,
    lost: why.source === 'abandon' ? 'record' : 'wait',
    reasonFor: (_o, b) => (b.status === 'filled' ? undefined : `${why.reason} with ${fmt.shares(b.filledQty)} of ${fmt.shares(b.qty)} filled`),
  };
  const until = ctx.now().getTime() + ctx.cancelWaitMs;
  const maxRounds = Math.ceil(ctx.cancelWaitMs / ctx.pollMs) + 2;
  for (let round = 1; ; round++) {
    await pollOnce(ctx, pending(), opts);
    if (pending().length === 0) break;
    const left = until - ctx.now().getTime();
    if (left <= 0 || round >= maxRounds) break;
    await ctx.clock.sleep(Math.min(ctx.pollMs, left));
  }
  for (const o of pending()) {
    if (o.state === 'left_open') continue;
    const reason = `${why.leftReason} but the broker still reports ${o.brokerStatus ?? 'open'}; left open`;
    ctx.record({ ...refOf(o), kind: 'LeftWorking', brokerOrderId: o.brokerOrderId ?? '', brokerStatus: o.brokerStatus ?? 'open', filledQty: o.filledQty, filledAvgPrice: o.filledAvgPrice, reason });
    ctx.note(`${o.side} ${o.symbol}: ${reason}`);
  }
  for (const o of ctx.orders(leg).filter((x) => ids.has(x.clientOrderId) && (x.state === 'canceled' || x.state === 'expired'))) {
    if (orders.find((p) => p.clientOrderId === o.clientOrderId)?.state !== o.state && o.reason) ctx.note(`${o.side} ${o.symbol}: ${o.reason}`);
  }
}
