/**
 * @module The order book: paper orders in the store, their queries, and every change of an
 * order's status, which goes through the broker's transition table (`assertTransition`) and
 * nowhere else.
 */
import { randomUUID } from 'node:crypto';
import { AtlasError } from '../../../core/errors.js';
import { assertTransition, TERMINAL_STATUSES, type Order, type OrderSide, type OrderStatus } from '../broker.js';
import type { PaperContext } from './context.js';
import { prepared } from '../../../data/store/statements.js';

export interface OrderRow {
  seq: number;
  id: string;
  account: string;
  client_order_id: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  type: 'market' | 'limit';
  limit_price: number | null;
  time_in_force: 'day' | 'gtc' | 'opg' | 'cls';
  status: OrderStatus;
  filled_qty: number;
  filled_avg_price: number | null;
  submitted_at: string;
  /** 1 when the NYSE was in a regular session at submitted_at. */
  submitted_open: number;
  filled_at: string | null;
  canceled_at: string | null;
  reject_reason: string | null;
  /** The drill decided at submission ('reject:<why>', 'never_fill', 'partial:<f>'), or null. */
  drill: string | null;
}

export type NewOrder = Pick<OrderRow, 'client_order_id' | 'symbol' | 'side' | 'qty' | 'type' | 'limit_price' | 'time_in_force' | 'drill'> & {
  status: 'new' | 'accepted';
  submittedAt: Date;
  submittedOpen: boolean;
};

/** Which orders a listing wants: still working, final, or both. */
export interface OrderFilter {
  status?: 'open' | 'closed' | 'all';
  /** Only orders submitted strictly after this instant. */
  after?: Date;
  limit?: number;
}

const TERMINAL_SQL = `(${[...TERMINAL_STATUSES].map((s) => `'${s}'`).join(',')})`;

export function toOrder(r: OrderRow): Order {
  const o: Order = {
    id: r.id,
    clientOrderId: r.client_order_id,
    symbol: r.symbol,
    side: r.side,
    qty: r.qty,
    filledQty: r.filled_qty,
    filledAvgPrice: r.filled_avg_price,
    type: r.type,
    limitPrice: r.limit_price,
    timeInForce: r.time_in_force,
    status: r.status,
    submittedAt: new Date(r.submitted_at),
    filledAt: r.filled_at === null ? null : new Date(r.filled_at),
    canceledAt: r.canceled_at === null ? null : new Date(r.canceled_at),
  };
  if (r.reject_reason !== null) o.rejectReason = r.reject_reason;
  return o;
}

export function orderById(ctx: PaperContext, id: string): OrderRow | undefined {
  return prepared(ctx.db, 'SELECT * FROM paper_orders WHERE account = ? AND id = ?').get(ctx.account, id) as OrderRow | undefined;
}

export function orderByClientId(ctx: PaperContext, cid: string): OrderRow | undefined {
  return prepared(ctx.db, 'SELECT * FROM paper_orders WHERE account = ? AND client_order_id = ?').get(ctx.account, cid) as OrderRow | undefined;
}

/** The account's working orders, oldest first (the order a poll processes them in). */
export function openOrders(ctx: PaperContext): OrderRow[] {
  return prepared(ctx.db, `SELECT * FROM paper_orders WHERE account = ? AND status NOT IN ${TERMINAL_SQL} ORDER BY seq`).all(ctx.account) as OrderRow[];
}

/** Orders of the account matching the filter, newest first. */
export function listOrderRows(ctx: PaperContext, f: OrderFilter): OrderRow[] {
  const where: string[] = ['account = ?'];
  const args: (string | number)[] = [ctx.account];
  if (f.status === 'open') where.push(`status NOT IN ${TERMINAL_SQL}`);
  if (f.status === 'closed') where.push(`status IN ${TERMINAL_SQL}`);
  // submitted_at is always written by toISOString(), so text order is time order.
  if (f.after !== undefined) {
    where.push('submitted_at > ?');
    args.push(f.after.toISOString());
  }
  const limit = Math.max(1, Math.floor(f.limit ?? 500));
  return prepared(ctx.db, `SELECT * FROM paper_orders WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`).all(...args, limit) as OrderRow[];
}

export function insertOrder(ctx: PaperContext, o: NewOrder): OrderRow {
  const id = randomUUID();
  prepared(ctx.db, 
    'INSERT INTO paper_orders (id, account, client_order_id, symbol, side, qty, type, limit_price, time_in_force, status, filled_qty, submitted_at, submitted_open, drill) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)',
  ).run(id, ctx.account, o.client_order_id, o.symbol, o.side, o.qty, o.type, o.limit_price, o.time_in_force, o.status, o.submittedAt.toISOString(), o.submittedOpen ? 1 : 0, o.drill);
  return orderById(ctx, id)!;
}

/** Moves an order to a status that is not a fill (new, canceled, expired, rejected). */
export function transition(ctx: PaperContext, row: OrderRow, to: OrderStatus, extra: Partial<Pick<OrderRow, 'canceled_at' | 'reject_reason'>> = {}): OrderRow {
  assertTransition(row.status, to, `paper order ${row.id}`);
  const next: OrderRow = { ...row, ...extra, status: to };
  prepared(ctx.db, 'UPDATE paper_orders SET status = ?, canceled_at = ?, reject_reason = ? WHERE id = ?').run(to, next.canceled_at, next.reject_reason, row.id);
  return next;
}

/** Records a fill of `qty` at `price` on the order: partially_filled, or filled when nothing is left. */
export function recordFill(ctx: PaperContext, row: OrderRow, qty: number, price: number, at: Date, eps: number): OrderRow {
  const filledQty = row.filled_qty + qty;
  const avgPrice = ((row.filled_avg_price ?? 0) * row.filled_qty + price * qty) / filledQty;
  const done = filledQty >= row.qty - eps;
  const to: OrderStatus = done ? 'filled' : 'partially_filled';
  assertTransition(row.status, to, `paper order ${row.id}`);
  const next: OrderRow = { ...row, status: to, filled_qty: done ? row.qty : filledQty, filled_avg_price: avgPrice, filled_at: done ? at.toISOString() : null };
  prepared(ctx.db, 'UPDATE paper_orders SET status = ?, filled_qty = ?, filled_avg_price = ?, filled_at = ? WHERE id = ?')
    .run(next.status, next.filled_qty, next.filled_avg_price, next.filled_at, row.id);
  return next;
}

/** Cancels one working order; refuses unknown and final ones. */
export function cancel(ctx: PaperContext, id: string, why?: string): OrderRow {
  const row = orderById(ctx, id);
  if (!row) throw new AtlasError(`Cannot cancel order ${String(id).slice(0, 64)}: the paper account ${ctx.account} has no such order.`, { code: 'ORDER_NOT_FOUND' });
  if (TERMINAL_STATUSES.has(row.status)) {
    throw new AtlasError(`Cannot cancel order ${row.id}: it is already ${row.status}.`, { code: 'ORDER_NOT_CANCELABLE' });
  }
  return transition(ctx, row, 'canceled', { canceled_at: ctx.clock.now().toISOString(), ...(why === undefined ? {} : { reject_reason: why }) });
}

/** Cancels every working order of the account (paper reset); returns them as canceled. */
export function cancelAllOpen(ctx: PaperContext, why: string): OrderRow[] {
  return openOrders(ctx).map((row) => cancel(ctx, row.id, why));
}

/** Quantity still to trade in the account's working orders on one side (and symbol). */
export function workingQty(ctx: PaperContext, side: OrderSide, symbol: string): number {
  let total = 0;
  for (const o of openOrders(ctx)) if (o.side === side && o.symbol === symbol) total += o.qty - o.filled_qty;
  return total;
}
