/**
 * @module Reconciliation of a run's orders with the broker: ONE list call for all of them (orders
 * the list does not show are looked up by client order id before anything is concluded), then the
 * pure `reconcile` per order, and each resulting event recorded through the run store.
 */
import { AtlasError, describeError } from '../../core/errors.js';
import type { Order } from '../brokers/broker.js';
import { reconcile, statusWord, type ReconcileSource } from '../orders/reconcile.js';
import { isFinalState } from '../orders/states.js';
import type { RunContext } from './context.js';
import type { RunOrderRecord } from './runStore.js';
import type { MarketSession } from './session.js';

/** How far before the run's creation the list starts: broker and local clocks may disagree a little. */
const LIST_SLACK_MS = 60 * 60 * 1000;

/** The broker's report of each order (undefined = the broker does not know the client order id). */
export async function brokerReports(ctx: RunContext, orders: readonly RunOrderRecord[]): Promise<Map<string, Order | undefined>> {
  const out = new Map<string, Order | undefined>();
  if (orders.length === 0) return out;
  const created = Date.parse(ctx.run().createdAt);
  const after = Number.isFinite(created) ? new Date(created - LIST_SLACK_MS) : undefined;
  let listed: Order[];
  try {
    listed = await ctx.broker.listOrders({ status: 'all', ...(after ? { after } : {}), limit: 500 });
  } catch (err) {
    // A list read answered 404 (a stale or misrouted read): it says nothing about the orders, so
    // each is asked for by client order id below instead of the whole run stopping.
    if (!isNotFound(err)) throw err;
    ctx.noteOnce('list-404', `the broker answered the order list with "not found" (${describeError(err)}); looking each order up by client order id`);
    listed = [];
  }
  const byCid = new Map(listed.map((o) => [o.clientOrderId, o]));
  for (const o of orders) {
    const b = byCid.get(o.clientOrderId);
    // Not in the list (paging, eventual consistency, a broker-side 404): ask for it by client id.
    out.set(o.clientOrderId, b ?? (await ctx.broker.getOrderByClientId(o.clientOrderId)));
  }
  return out;
}

/** An HTTP 404 from a broker (Alpaca's ALPACA_HTTP_404, or a NOT_FOUND code). */
function isNotFound(err: unknown): boolean {
  if (!(err instanceof AtlasError)) return false;
  const status = (err as { httpStatus?: unknown }).httpStatus;
  return status === 404 || err.code === 'ALPACA_HTTP_404' || err.code === 'NOT_FOUND';
}

export interface ReconcileOptions {
  source: ReconcileSource;
  /** What to do when the broker no longer knows an accepted order. */
  lost: 'throw' | 'record' | 'wait';
  session?: MarketSession;
  /** Reason for a Canceled/Expired event (e.g. the fill timeout). */
  reasonFor?: (o: RunOrderRecord, b: Order) => string | undefined;
}

function lostError(ctx: RunContext, o: RunOrderRecord): AtlasError {
  return new AtlasError(
    `Order ${o.clientOrderId} was accepted by the broker earlier but the broker cannot find it now (was the account reset?); close run ${ctx.runId} with \`atlas rebalance --abandon ${ctx.runId}\` and then run the command again.`,
    { code: 'RUN_ORDER_LOST' },
  );
}

/** Records the events that bring each given order in line with the broker's report. */
export function applyReports(ctx: RunContext, orders: readonly RunOrderRecord[], reports: ReadonlyMap<string, Order | undefined>, opts: ReconcileOptions & { session: MarketSession }): void {
  for (const stale of orders) {
    const o = ctx.runs.order(stale.clientOrderId) ?? stale;
    const b = reports.get(o.clientOrderId);
    if (b?.status === 'unknown') {
      const word = statusWord(b);
      ctx.noteOnce(`status:${word}`, `the broker reports an order status Atlas does not know ("${word}", ${o.clientOrderId}); treated as working`);
    }
    const events = reconcile(o, b, { marketOpen: opts.session.open, nextOpen: opts.session.nextOpen, source: opts.source, ...(b && opts.reasonFor ? { reason: opts.reasonFor(o, b) } : {}) });
    if (events.some((e) => e.kind === 'Lost')) {
      if (opts.lost === 'throw') throw lostError(ctx, o);
      if (opts.lost === 'wait') {
        ctx.noteOnce(`missing:${o.clientOrderId}`, `${o.clientOrderId} is not found at the broker (by list and by client order id); will look again`);
        continue;
      }
    }
    for (const e of events) ctx.record(e);
  }
}

/** Reconciles every order of the run that is at the broker or may be (not final, not planned). */
export async function reconcileRun(ctx: RunContext, opts: ReconcileOptions): Promise<void> {
  const targets = ctx.orders().filter((o) => !isFinalState(o.state) && o.state !== 'planned');
  if (targets.length === 0) return;
  const reports = await brokerReports(ctx, targets);
  const session = opts.session ?? (await ctx.session());
  applyReports(ctx, targets, reports, { ...opts, session });
}
