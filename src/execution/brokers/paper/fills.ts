/**
 * @module The fill record: one row per (partial) fill in `paper_fills`, with the price before and
 * after slippage, where the price came from and the bar it came from. History: reset keeps it.
 */
import type { OrderSide } from '../broker.js';
import type { PaperContext } from './context.js';
import type { FillBasis } from './pricing.js';
import { prepared } from '../../../data/store/statements.js';

export interface PaperFill {
  id: number;
  orderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  /** Price paid/received after slippage. */
  price: number;
  /** Price before slippage. */
  basePrice: number;
  basis: FillBasis;
  /** Date of the bar the price came from. */
  barDate: string;
  filledAt: Date;
}

interface FillRow {
  id: number;
  order_id: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  base_price: number;
  fill_basis: FillBasis;
  bar_date: string;
  filled_at: string;
}

export function insertFill(ctx: PaperContext, f: Omit<PaperFill, 'id'>): void {
  prepared(ctx.db, 'INSERT INTO paper_fills (order_id, account, symbol, side, qty, price, base_price, fill_basis, bar_date, filled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(f.orderId, ctx.account, f.symbol, f.side, f.qty, f.price, f.basePrice, f.basis, f.barDate, f.filledAt.toISOString());
}

/** Fills of one order, or of the whole account, oldest first. */
export function listFills(ctx: PaperContext, orderId?: string): PaperFill[] {
  const rows = (orderId === undefined
    ? prepared(ctx.db, 'SELECT * FROM paper_fills WHERE account = ? ORDER BY id').all(ctx.account)
    : prepared(ctx.db, 'SELECT * FROM paper_fills WHERE account = ? AND order_id = ? ORDER BY id').all(ctx.account, orderId)) as FillRow[];
  return rows.map((r) => ({
    id: r.id, orderId: r.order_id, symbol: r.symbol, side: r.side, qty: r.qty, price: r.price, basePrice: r.base_price,
    basis: r.fill_basis, barDate: r.bar_date, filledAt: new Date(r.filled_at),
  }));
}
