/**
 * @module The account and positions ledger: cash, initial cash, settings and long positions of
 * a paper account in the store (schema migration 2). Only the fill engine and reset move cash or
 * positions, always inside the caller's IMMEDIATE transaction.
 */
import { AtlasError } from '../../../core/errors.js';
import type { Position } from '../broker.js';
import type { PaperContext } from './context.js';
import { EPS } from './context.js';
import { prepared } from '../../../data/store/statements.js';

export const DEFAULT_PAPER_CASH = 100_000;

const ACCOUNT_NAME = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;

export interface AccountRow {
  name: string;
  cash: number;
  initial_cash: number;
  allow_fractional: number;
  fill_policy: string;
  submit_count: number;
  created_at: string;
  reset_at: string;
}

export interface PositionRow {
  symbol: string;
  qty: number;
  avg_entry_price: number;
}

/** Normalises and validates a paper account name. */
export function paperAccountName(raw: string): string {
  const name = String(raw).trim().toUpperCase();
  if (!ACCOUNT_NAME.test(name)) {
    throw new AtlasError(`Paper account name '${String(raw).slice(0, 40)}' is invalid; use letters, digits, '-' or '_' (up to 32), e.g. LARGE, MID or SMALL.`, {
      code: 'PAPER_ACCOUNT_NAME',
    });
  }
  return name;
}

export function validCash(cash: number, what: string): number {
  if (!Number.isFinite(cash) || cash < 0) {
    throw new AtlasError(`Paper ${what} ${cash} is invalid; use a non-negative amount such as 100000.`, { code: 'PAPER_CASH_INVALID' });
  }
  return cash;
}

/** The row a new account would get (not stored). */
export function newAccountRow(name: string, cash: number, allowFractional: boolean, at: string): AccountRow {
  return { name, cash, initial_cash: cash, allow_fractional: allowFractional ? 1 : 0, fill_policy: '{}', submit_count: 0, created_at: at, reset_at: at };
}

/** Creates the account with `cash` unless it exists already. */
export function ensureAccount(ctx: Pick<PaperContext, 'db' | 'account' | 'clock'>, cash: number, allowFractional: boolean): void {
  const at = ctx.clock.now().toISOString();
  prepared(ctx.db, 'INSERT OR IGNORE INTO paper_accounts (name, cash, initial_cash, allow_fractional, fill_policy, submit_count, created_at, reset_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)')
    .run(ctx.account, cash, cash, allowFractional ? 1 : 0, '{}', at, at);
}

/** Refuses a paper account that does not exist yet, saying how to create one. */
export function assertAccountExists(ctx: Pick<PaperContext, 'db' | 'account'>): void {
  const row = prepared(ctx.db, 'SELECT name FROM paper_accounts WHERE name = ?').get(ctx.account);
  if (row) return;
  const names = (prepared(ctx.db, 'SELECT name FROM paper_accounts ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  throw new AtlasError(
    `There is no paper account ${ctx.account} in this data directory${names.length ? ` (accounts: ${names.join(', ')})` : ''}; create it with \`atlas paper reset --account ${ctx.account} --cash 100000 --yes\` or by running \`atlas rebalance --account ${ctx.account}\`.`,
    { code: 'PAPER_ACCOUNT_MISSING' },
  );
}

export function accountRow(ctx: Pick<PaperContext, 'db' | 'account' | 'virtualAccount'>): AccountRow {
  const row = (prepared(ctx.db, 'SELECT * FROM paper_accounts WHERE name = ?').get(ctx.account) as AccountRow | undefined) ?? ctx.virtualAccount;
  if (!row) throw new AtlasError(`The paper account ${ctx.account} does not exist in this store; open it once with the paper broker to create it.`, { code: 'PAPER_ACCOUNT_MISSING' });
  return row;
}

export function setCash(ctx: PaperContext, cash: number): void {
  prepared(ctx.db, 'UPDATE paper_accounts SET cash = ? WHERE name = ?').run(cash, ctx.account);
}

/** Counts one more submitted order (the reject-every-Nth drill) and returns the new count. */
export function countSubmission(ctx: PaperContext): number {
  const count = accountRow(ctx).submit_count + 1;
  prepared(ctx.db, 'UPDATE paper_accounts SET submit_count = ? WHERE name = ?').run(count, ctx.account);
  return count;
}

export function storePolicy(ctx: PaperContext, policyJson: string): void {
  prepared(ctx.db, 'UPDATE paper_accounts SET fill_policy = ? WHERE name = ?').run(policyJson, ctx.account);
}

export function positionRow(ctx: PaperContext, symbol: string): PositionRow | undefined {
  return prepared(ctx.db, 'SELECT symbol, qty, avg_entry_price FROM paper_positions WHERE account = ? AND symbol = ?').get(ctx.account, symbol) as PositionRow | undefined;
}

/** Positions valued at `priceOf` (the latest known close), falling back to the average entry price. */
export function positions(ctx: PaperContext, priceOf: (symbol: string) => number | undefined): Position[] {
  const rows = prepared(ctx.db, 'SELECT symbol, qty, avg_entry_price FROM paper_positions WHERE account = ? ORDER BY symbol').all(ctx.account) as PositionRow[];
  return rows.map((r) => {
    const price = priceOf(r.symbol) ?? r.avg_entry_price;
    return { symbol: r.symbol, qty: r.qty, avgEntryPrice: r.avg_entry_price, currentPrice: price, marketValue: r.qty * price, side: r.qty < 0 ? 'short' : 'long' };
  });
}

/** Books a buy of `qty` at `price` (slippage included): more shares at a new average entry price. */
export function addToPosition(ctx: PaperContext, symbol: string, qty: number, price: number): void {
  const position = positionRow(ctx, symbol);
  const held = position?.qty ?? 0;
  const total = held + qty;
  const avg = (held * (position?.avg_entry_price ?? 0) + qty * price) / total;
  prepared(ctx.db, 'INSERT INTO paper_positions (account, symbol, qty, avg_entry_price) VALUES (?, ?, ?, ?) ON CONFLICT(account, symbol) DO UPDATE SET qty = excluded.qty, avg_entry_price = excluded.avg_entry_price')
    .run(ctx.account, symbol, total, avg);
}

/** Books a sell of `qty`: fewer shares, same average entry price; the row goes when nothing is left. */
export function reducePosition(ctx: PaperContext, symbol: string, qty: number): void {
  const left = (positionRow(ctx, symbol)?.qty ?? 0) - qty;
  if (left <= EPS) prepared(ctx.db, 'DELETE FROM paper_positions WHERE account = ? AND symbol = ?').run(ctx.account, symbol);
  else prepared(ctx.db, 'UPDATE paper_positions SET qty = ? WHERE account = ? AND symbol = ?').run(left, ctx.account, symbol);
}

/** Drops every position and sets the cash (reset); the order history is the order book's business. */
export function resetLedger(ctx: PaperContext, cash: number, allowFractional: boolean | undefined): void {
  prepared(ctx.db, 'DELETE FROM paper_positions WHERE account = ?').run(ctx.account);
  prepared(ctx.db, 'UPDATE paper_accounts SET cash = ?, initial_cash = ?, submit_count = 0, reset_at = ? WHERE name = ?')
    .run(cash, cash, ctx.clock.now().toISOString(), ctx.account);
  if (allowFractional !== undefined) {
    prepared(ctx.db, 'UPDATE paper_accounts SET allow_fractional = ? WHERE name = ?').run(allowFractional ? 1 : 0, ctx.account);
  }
}
