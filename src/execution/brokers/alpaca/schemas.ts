import { z } from 'zod';
import { DateTime } from 'luxon';
import { AtlasError } from '../../../core/errors.js';
import { fromAlpaca } from '../../../data/providers/symbols.js';
import { ORDER_STATUSES, type Account, type KnownOrderStatus, type Asset, type MarketClock, type Order, type Position } from '../broker.js';

/**
 * Alpaca's v2 trading payloads, validated with zod and mapped to domain objects. Alpaca sends
 * money and quantities as decimal strings ("cash": "100000", "filled_avg_price": null) and
 * timestamps as RFC 3339 with up to nanosecond precision; these schemas accept exactly that
 * (and, leniently, JSON numbers), and reject anything that does not parse as a finite number.
 * Unknown extra fields are ignored.
 */

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** "123.45" (or 123.45) -> 123.45; anything else is a validation error. */
export const decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : DECIMAL.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a decimal string, got ${JSON.stringify(v).slice(0, 30)}` });
    return z.NEVER;
  }
  return n;
});

export const nullableDecimal = z.union([decimal, z.null()]).optional().transform((v) => (v === undefined ? null : v));

/**
 * Parses an RFC 3339 timestamp; Alpaca's clock sends nanoseconds ("2026-11-24T12:00:00.123456789-05:00"),
 * which are truncated to milliseconds so every JavaScript engine parses them the same way.
 */
export function parseAlpacaTime(s: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i.exec(s.trim());
  if (!m) return undefined;
  const frac = m[2] ? m[2].slice(0, 4).padEnd(4, '0') : '';
  const zone = m[3].toUpperCase() === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const d = new Date(`${m[1]}${frac}${zone}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export const timestamp = z.string().transform((v, ctx) => {
  const d = parseAlpacaTime(v);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: `expected an RFC 3339 timestamp, got ${JSON.stringify(v).slice(0, 40)}` });
    return z.NEVER;
  }
  return d;
});

export const nullableTimestamp = z.union([timestamp, z.null()]).optional().transform((v) => (v === undefined ? null : v));

export const rawAccountSchema = z.object({
  id: z.string(),
  account_number: z.string().optional(),
  status: z.string(),
  currency: z.string().default('USD'),
  cash: decimal,
  buying_power: decimal,
  equity: decimal,
  portfolio_value: decimal.optional(),
  trading_blocked: z.boolean().default(false),
  account_blocked: z.boolean().optional(),
  trade_suspended_by_user: z.boolean().optional(),
  pattern_day_trader: z.boolean().optional(),
  multiplier: decimal.optional(),
  non_marginable_buying_power: decimal.optional(),
  daytrade_count: z.number().optional(),
});

export const rawPositionSchema = z.object({
  symbol: z.string(),
  qty: decimal,
  avg_entry_price: decimal,
  market_value: nullableDecimal,
  current_price: nullableDecimal,
  side: z.enum(['long', 'short']),
});

export const rawAssetSchema = z.object({
  id: z.string().optional(),
  symbol: z.string(),
  exchange: z.string(),
  status: z.enum(['active', 'inactive']),
  tradable: z.boolean(),
  fractionable: z.boolean().default(false),
});

export const rawClockSchema = z.object({
  timestamp,
  is_open: z.boolean(),
  next_open: timestamp,
  next_close: timestamp,
});

export const rawCalendarDaySchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  open: z.string().regex(/^\d{2}:\d{2}$/),
  close: z.string().regex(/^\d{2}:\d{2}$/),
  session_open: z.string().optional(),
  session_close: z.string().optional(),
  settlement_date: z.string().optional(),
});

export const rawOrderSchema = z.object({
  id: z.string(),
  client_order_id: z.string(),
  created_at: timestamp,
  submitted_at: nullableTimestamp,
  filled_at: nullableTimestamp,
  canceled_at: nullableTimestamp,
  symbol: z.string(),
  qty: nullableDecimal,
  notional: nullableDecimal,
  filled_qty: decimal,
  filled_avg_price: nullableDecimal,
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']),
  side: z.enum(['buy', 'sell']),
  time_in_force: z.enum(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']),
  limit_price: nullableDecimal,
  status: z.string(),
});

/**
 * The market data host's GET /v2/stocks/trades/latest?symbols=A,B answer:
 * {"trades": {"AAPL": {"t": "2026-11-24T20:59:59.9Z", "p": 190.1, "s": 100, "x": "V", ...}}}.
 * Symbols the feed has no trade for are absent from the map.
 */
export const rawLatestTradesSchema = z.object({
  trades: z.record(z.string(), z.object({ t: timestamp, p: decimal })).nullable().default({}),
});

/** Alpaca's error body: {"code": 40310000, "message": "insufficient buying power"} (code sometimes absent). */
export const rawErrorSchema = z.object({ code: z.number().optional(), message: z.string() });

export type RawAccount = z.infer<typeof rawAccountSchema>;
export type RawPosition = z.infer<typeof rawPositionSchema>;
export type RawAsset = z.infer<typeof rawAssetSchema>;
export type RawClock = z.infer<typeof rawClockSchema>;
export type RawCalendarDay = z.infer<typeof rawCalendarDaySchema>;
export type RawOrder = z.infer<typeof rawOrderSchema>;

/** Validates `payload` or throws an AtlasError naming the endpoint and the first bad field. */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown, what: string): z.output<S> {
  const res = schema.safeParse(payload);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the body';
  throw new AtlasError(`Alpaca returned an unexpected payload for ${what}: ${where} ${issue?.message ?? 'is invalid'}.`, {
    code: 'ALPACA_BAD_PAYLOAD',
  });
}

export function toAccount(r: RawAccount): Account {
  return {
    id: r.id,
    cash: r.cash,
    buyingPower: r.buying_power,
    equity: r.equity,
    portfolioValue: r.portfolio_value ?? r.equity,
    currency: r.currency,
    status: r.status,
    tradingBlocked: r.trading_blocked,
    accountBlocked: r.account_blocked === true,
    tradeSuspendedByUser: r.trade_suspended_by_user === true,
    multiplier: r.multiplier ?? 1,
    nonMarginableBuyingPower: r.non_marginable_buying_power ?? r.cash,
    daytradeCount: r.daytrade_count ?? 0,
    patternDayTrader: r.pattern_day_trader === true,
  };
}

export function toPosition(r: RawPosition): Position {
  const currentPrice = r.current_price ?? r.avg_entry_price;
  return {
    symbol: fromAlpaca(r.symbol),
    qty: r.qty,
    avgEntryPrice: r.avg_entry_price,
    marketValue: r.market_value ?? r.qty * currentPrice,
    currentPrice,
    side: r.side,
  };
}

export function toAsset(r: RawAsset): Asset {
  return { symbol: fromAlpaca(r.symbol), tradable: r.tradable, status: r.status, fractionable: r.fractionable, exchange: r.exchange };
}

export function toClock(r: RawClock): MarketClock {
  return { timestamp: r.timestamp, isOpen: r.is_open, nextOpen: r.next_open, nextClose: r.next_close };
}

/** One trading session from GET /v2/calendar, with its open and close as instants. */
export interface TradingDay {
  /** YYYY-MM-DD in New York. */
  date: string;
  open: Date;
  close: Date;
}

export function toTradingDay(r: RawCalendarDay): TradingDay {
  const at = (hhmm: string) => DateTime.fromISO(`${r.date}T${hhmm}`, { zone: 'America/New_York' }).toJSDate();
  return { date: r.date, open: at(r.open), close: at(r.close) };
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(ORDER_STATUSES);

export function toOrder(r: RawOrder): Order {
  const known = KNOWN_STATUSES.has(r.status);
  const order: Order = {
    id: r.id,
    clientOrderId: r.client_order_id,
    symbol: fromAlpaca(r.symbol),
    side: r.side,
    qty: r.qty ?? 0,
    filledQty: r.filled_qty,
    filledAvgPrice: r.filled_avg_price,
    type: r.type,
    limitPrice: r.limit_price,
    timeInForce: r.time_in_force,
    status: known ? (r.status as KnownOrderStatus) : 'unknown',
    ...(known ? {} : { rawStatus: r.status.slice(0, 40) }),
    submittedAt: r.submitted_at ?? r.created_at,
    filledAt: r.filled_at,
    canceledAt: r.canceled_at,
  };
  return order;
}
