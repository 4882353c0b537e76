/**
 * @module Live vs backtest (`atlas parity`): for every fill, the implementation shortfall in bps
 * against the decision close and against the next open the backtest fills at; per run and
 * cumulative; and the account's equity from its snapshots beside a backtest of the same strategy
 * over the same sessions: tracking difference, correlation of daily returns, the orders each
 * side placed (the backtest's adjusted shares counted in the account's shares), and the days they
 * diverged most with the reasons found on those days.
 */
import { nextSession } from '../../calendar/nyse.js';
import type { BacktestResult } from '../../backtest/engine.js';
import type { BarStore } from '../../data/store/barStore.js';
import { DEFAULT_GATE_LIMITS } from '../../execution/gates/types.js';
import type { RunStore } from '../../execution/rebalance/runStore.js';
import type { AccountSnapshot } from '../snapshots/snapshot.js';

export interface FillShortfall {
  runId: string;
  decisionDate: string;
  fillDate: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  decisionClose: number | null;
  nextOpen: number | null;
  /** Positive = cost: paid more (buy) or received less (sell) than the reference. */
  vsCloseBps: number | null;
  vsOpenBps: number | null;
}

export interface RunShortfall {
  runId: string;
  decisionDate: string;
  fills: number;
  notional: number;
  vsCloseBps: number | null;
  vsOpenBps: number | null;
}

export interface OrderMatch {
  date: string;
  symbol: string;
  side: 'buy' | 'sell';
  liveQty: number | null;
  backtestQty: number | null;
  verdict: 'same' | 'within one share' | 'different' | 'live only' | 'backtest only';
  /** Why the two sides differ (orderReasons): set on every order that is not 'same'. */
  reason?: string;
}

/** One order of the account's runs as the parity report reads it (liveOrdersOf). */
export interface LiveOrderNote {
  /** The session it was to fill in (the session after the run's decision). */
  date: string;
  decisionDate: string;
  symbol: string;
  side: 'buy' | 'sell';
  plannedQty: number;
  qty: number;
  /** The price it was planned at (the decision close). */
  refPrice: number;
  state: string;
  reason: string | null;
  /** The Resized event's reason, when the BUY was re-sized after the SELL phase. */
  resized: string | null;
  /** The run's regime allocation and gate 7's tolerance. */
  allocation: number | null;
  tolerance: number;
}

export interface DivergentDay {
  date: string;
  liveReturn: number;
  backtestReturn: number;
  difference: number;
  reasons: string[];
}

export interface ParityReport {
  account: string;
  broker: string;
  from: string | null;
  to: string | null;
  fills: FillShortfall[];
  runs: RunShortfall[];
  cumulative: { notional: number; vsCloseBps: number | null; vsOpenBps: number | null };
  equity: { date: string; live: number | null; backtest: number | null }[];
  liveReturn: number | null;
  backtestReturn: number | null;
  /** live total return - backtest total return */
  trackingDifference: number | null;
  /** live final equity / backtest final equity - 1 */
  finalEquityGap: number | null;
  correlation: number | null;
  orders: OrderMatch[];
  ordersMatched: number;
  ordersTotal: number;
  divergentDays: DivergentDay[];
  notes: string[];
}

const bps = (px: number, ref: number | null, side: 'buy' | 'sell'): number | null => (ref && ref > 0 ? (side === 'buy' ? px / ref - 1 : 1 - px / ref) * 10_000 : null);

function weighted(rows: { notional: number; v: number | null }[]): number | null {
  const ok = rows.filter((r) => r.v !== null);
  const w = ok.reduce((a, r) => a + r.notional, 0);
  return w > 0 ? ok.reduce((a, r) => a + r.notional * (r.v as number), 0) / w : null;
}

/** Every order of the account's runs, with what happened to it (for the per-order reasons). */
export function liveOrdersOf(runs: RunStore, account: string, broker: string): LiveOrderNote[] {
  const out: LiveOrderNote[] = [];
  for (const run of runs.list(100_000).filter((r) => r.account === account && r.broker === broker)) {
    const resized = new Map<string, string>();
    for (const e of runs.events({ runId: run.runId })) if (e.event.kind === 'Resized') resized.set(e.clientOrderId, e.event.reason ?? 're-sized');
    const allocation = Number(run.signal.allocation);
    for (const o of runs.orders(run.runId)) {
      out.push({
        date: nextSession(run.tradeDate), decisionDate: run.tradeDate, symbol: o.symbol, side: o.side, plannedQty: o.plannedQty, qty: o.qty, refPrice: o.refPrice, state: o.state, reason: o.reason,
        resized: resized.get(o.clientOrderId) ?? null, allocation: Number.isFinite(allocation) ? allocation : null,
        tolerance: run.params.gateLimits?.regimeTolerance ?? DEFAULT_GATE_LIMITS.regimeTolerance,
      });
    }
  }
  return out;
}

export function fillShortfalls(runs: RunStore, bars: BarStore, account: string, broker: string): FillShortfall[] {
  const out: FillShortfall[] = [];
  const list = runs.list(100_000).filter((r) => r.account === account && r.broker === broker).reverse();
  for (const run of list) {
    const fillDate = nextSession(run.tradeDate);
    for (const o of runs.orders(run.runId)) {
      if (!(o.filledQty > 0) || o.filledAvgPrice === null) continue;
      const close = bars.getBars(o.symbol, run.tradeDate, run.tradeDate)[0]?.close ?? o.refPrice ?? null;
      const open = bars.getBars(o.symbol, fillDate, fillDate)[0]?.open ?? null;
      out.push({
        runId: run.runId, decisionDate: run.tradeDate, fillDate, symbol: o.symbol, side: o.side, qty: o.filledQty, price: o.filledAvgPrice,
        decisionClose: close, nextOpen: open, vsCloseBps: bps(o.filledAvgPrice, close, o.side), vsOpenBps: bps(o.filledAvgPrice, open, o.side),
      });
    }
  }
  return out;
}

function correlation(a: number[], b: number[]): number | null {
  const n = Math.min(a.length, b.length);
  if (n < 3) return null;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/**
 * Account shares per backtest share of a symbol on a date: the bar's adjClose / close. The
 * backtest trades adjusted shares (docs/backtest.md); an account trades the store's shares, so
 * its quantities are compared with the backtest's in the account's unit. 1 where the store's
 * prices are the adjusted ones (a replay, docs/operations.md) or the bar is missing.
 */
export type ShareFactor = (symbol: string, date: string) => number;

export function shareFactorOf(bars: BarStore): ShareFactor {
  return (symbol, date) => {
    const b = bars.getBars(symbol, date, date)[0];
    return b && b.close > 0 && b.adjClose > 0 ? b.adjClose / b.close : 1;
  };
}

export function matchOrders(fills: readonly FillShortfall[], bt: BacktestResult, factor: ShareFactor = () => 1): OrderMatch[] {
  const key = (d: string, s: string, side: string) => `${d}|${s}|${side}`;
  const live = new Map<string, number>();
  for (const f of fills) live.set(key(f.fillDate, f.symbol, f.side), (live.get(key(f.fillDate, f.symbol, f.side)) ?? 0) + f.qty);
  const back = new Map<string, number>();
  for (const t of bt.trades) {
    if (t.intent === 'LIQUIDATE') continue;
    const q = Math.round(t.qty * factor(t.symbol, t.date) * 1e6) / 1e6;
    back.set(key(t.date, t.symbol, t.side), (back.get(key(t.date, t.symbol, t.side)) ?? 0) + q);
  }
  const keys = [...new Set([...live.keys(), ...back.keys()])].sort();
  return keys.map((k) => {
    const [date, symbol, side] = k.split('|') as [string, string, 'buy' | 'sell'];
    const l = live.get(k) ?? null;
    const b = back.get(k) ?? null;
    let verdict: OrderMatch['verdict'];
    if (l === null) verdict = 'backtest only';
    else if (b === null) verdict = 'live only';
    else if (Math.abs(l - b) < 1e-6) verdict = 'same';
    else if (Math.abs(l - b) <= 1 + 1e-6) verdict = 'within one share';
    else verdict = 'different';
    return { date, symbol, side, liveQty: l, backtestQty: b, verdict };
  });
}

export function buildParityReport(input: { account: string; broker: string; snapshots: readonly AccountSnapshot[]; fills: FillShortfall[]; backtest: BacktestResult | null; notes?: string[]; shareFactor?: ShareFactor; liveOrders?: readonly LiveOrderNote[] }): ParityReport {
  const { fills, backtest: bt } = input;
  const snaps = input.snapshots.filter((s) => s.source !== 'missing' && Number.isFinite(s.equity));
  const notes = [...(input.notes ?? [])];
  const byRun = new Map<string, FillShortfall[]>();
  for (const f of fills) byRun.set(f.runId, [...(byRun.get(f.runId) ?? []), f]);
  const runs: RunShortfall[] = [...byRun].map(([runId, fs]) => ({
    runId, decisionDate: fs[0].decisionDate, fills: fs.length, notional: fs.reduce((a, f) => a + f.qty * f.price, 0),
    vsCloseBps: weighted(fs.map((f) => ({ notional: f.qty * f.price, v: f.vsCloseBps }))),
    vsOpenBps: weighted(fs.map((f) => ({ notional: f.qty * f.price, v: f.vsOpenBps }))),
  }));
  const cumulative = {
    notional: fills.reduce((a, f) => a + f.qty * f.price, 0),
    vsCloseBps: weighted(fills.map((f) => ({ notional: f.qty * f.price, v: f.vsCloseBps }))),
    vsOpenBps: weighted(fills.map((f) => ({ notional: f.qty * f.price, v: f.vsOpenBps }))),
  };
  const btEq = new Map<string, number>();
  if (bt) bt.dates.forEach((d, i) => btEq.set(d, bt.equity[i]));
  const equity = snaps.map((s) => ({ date: s.session, live: s.equity, backtest: btEq.get(s.session) ?? null }));
  const both = equity.filter((e) => e.live !== null && e.backtest !== null) as { date: string; live: number; backtest: number }[];
  const lr: number[] = [];
  const br: number[] = [];
  const days: DivergentDay[] = [];
  for (let i = 1; i < both.length; i++) {
    const l = both[i].live / both[i - 1].live - 1;
    const b = both[i].backtest / both[i - 1].backtest - 1;
    lr.push(l);
    br.push(b);
    days.push({ date: both[i].date, liveReturn: l, backtestReturn: b, difference: l - b, reasons: [] });
  }
  const orders = bt ? matchOrders(fills, bt, input.shareFactor) : [];
  if (bt) explainOrders(orders, input.liveOrders ?? [], snaps, bt, input.shareFactor ?? (() => 1));
  const top = [...days].sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference)).slice(0, 5);
  for (const d of top) d.reasons = explainDay(d.date, orders, fills, bt, snaps);
  const first = both[0];
  const last = both.at(-1);
  const liveReturn = first && last ? last.live / first.live - 1 : null;
  const backtestReturn = first && last ? last.backtest / first.backtest - 1 : null;
  if (!bt) notes.push('no backtest could be run for this strategy over these sessions');
  return {
    account: input.account, broker: input.broker, from: snaps[0]?.session ?? null, to: snaps.at(-1)?.session ?? null,
    fills, runs, cumulative, equity, liveReturn, backtestReturn,
    trackingDifference: liveReturn !== null && backtestReturn !== null ? liveReturn - backtestReturn : null,
    finalEquityGap: last ? last.live / last.backtest - 1 : null,
    correlation: correlation(lr, br),
    orders, ordersMatched: orders.filter((o) => o.verdict === 'same' || o.verdict === 'within one share').length, ordersTotal: orders.length,
    divergentDays: top, notes,
  };
}

function explainDay(date: string, orders: readonly OrderMatch[], fills: readonly FillShortfall[], bt: BacktestResult | null, snaps: readonly AccountSnapshot[]): string[] {
  const out: string[] = [];
  const today = orders.filter((o) => o.date === date);
  const missed = today.filter((o) => o.verdict === 'backtest only');
  if (missed.length > 0) out.push(`missed fills: the backtest traded ${missed.map((o) => `${o.side} ${o.symbol}`).join(', ')}, the account did not`);
  const extra = today.filter((o) => o.verdict === 'live only');
  if (extra.length > 0) out.push(`orders only the account placed: ${extra.map((o) => `${o.side} ${o.symbol}`).join(', ')}`);
  const partial = today.filter((o) => o.verdict === 'different');
  if (partial.length > 0) out.push(`different or partial quantities: ${partial.map((o) => `${o.side} ${o.symbol} ${o.liveQty} vs ${o.backtestQty}`).join(', ')}`);
  const round = today.filter((o) => o.verdict === 'within one share');
  if (round.length > 0) out.push(`rounding to whole shares: ${round.map((o) => o.symbol).join(', ')}`);
  const priced = fills.filter((f) => f.fillDate === date && f.vsOpenBps !== null && Math.abs(f.vsOpenBps) > 10);
  if (priced.length > 0) out.push(`price differences vs the open the backtest uses: ${priced.map((f) => `${f.side} ${f.symbol} ${f.vsOpenBps!.toFixed(0)} bps`).join(', ')}`);
  if (out.length === 0 && bt) {
    const snap = snaps.find((s) => s.session === date);
    const btPos = new Map(bt.trades.filter((t) => t.date <= date).reduce((m, t) => m.set(t.symbol, (m.get(t.symbol) ?? 0) + (t.side === 'buy' ? t.qty : -t.qty)), new Map<string, number>()));
    const diff = (snap?.positions ?? []).filter((p) => p.qty > 0 && Math.abs((btPos.get(p.symbol) ?? 0) - p.qty) > 1).map((p) => p.symbol);
    out.push(diff.length > 0 ? `holdings differ (${diff.join(', ')}): the day's moves hit different positions` : 'no trade that day: price moves on the small holding differences (adjusted vs raw share counts, dividends)');
  }
  return out;
}

/**
 * Gives every order that is not the same on both sides its reason, the first that applies:
 * 1. the account's order did not fill (rejected, canceled, expired, skipped): its state and reason;
 * 2. the account re-sized a BUY after the SELL phase: the Resized event's reason (the cash, or the
 *    room gate 7 leaves at the latest prices; the backtest applies the same limits at its fill,
 *    on its own cash and book);
 * 3. the holdings differed before the order (account vs backtest, in the account's shares): an
 *    earlier difference carried on;
 * 4. the backtest's BUYs would have taken the account's exposure above gate 7's cap (the
 *    regime's allocation + tolerance): both sides scale their BUYs to it, each on its own book;
 * 5. otherwise, whole-share rounding on slightly different cash or prices.
 */
export function explainOrders(orders: OrderMatch[], live: readonly LiveOrderNote[], snaps: readonly AccountSnapshot[], bt: BacktestResult, factor: ShareFactor): void {
  const liveOf = new Map<string, LiveOrderNote>();
  for (const o of live) liveOf.set(`${o.date}|${o.symbol}|${o.side}`, o);
  const snapOf = new Map(snaps.map((s) => [s.session, s]));
  const sessions = snaps.map((s) => s.session);
  const btHeld = (symbol: string, before: string): number => {
    let q = 0;
    for (const t of bt.trades) if (t.symbol === symbol && t.date < before) q += (t.side === 'buy' ? 1 : -1) * t.qty * factor(t.symbol, t.date);
    return Math.round(q * 1e6) / 1e6;
  };
  const shares = (x: number) => String(Math.round(x * 1e6) / 1e6);
  for (const o of orders) {
    if (o.verdict === 'same') continue;
    const l = liveOf.get(`${o.date}|${o.symbol}|${o.side}`);
    if (l && l.state !== 'filled' && l.state !== 'partially_filled') {
      o.reason = `the account's order of ${shares(l.qty)} was ${l.state}${l.reason ? `: ${l.reason}` : ''}`;
      continue;
    }
    if (l?.resized) {
      o.reason = `the account ${l.resized} (planned ${shares(l.plannedQty)}); the backtest applies the same limits at its fill to its own cash and book`;
      continue;
    }
    const i = sessions.indexOf(o.date);
    const prev = i > 0 ? snapOf.get(sessions[i - 1]) : undefined;
    if (prev) {
      const held = prev.positions.find((p) => p.symbol === o.symbol)?.qty ?? 0;
      const other = btHeld(o.symbol, o.date);
      if (Math.abs(held - other) > 1e-6) {
        o.reason = `an earlier difference carried on: before it the account held ${shares(held)} ${o.symbol}, the backtest ${shares(other)}`;
        continue;
      }
    }
    const planned = (symbol: string) => liveOf.get(`${o.date}|${symbol}|buy`)?.refPrice ?? liveOf.get(`${o.date}|${symbol}|sell`)?.refPrice;
    const cap = l && l.allocation !== null && prev ? overCap(prev, bt, o.date, l.allocation + l.tolerance, factor, planned) : null;
    if (cap !== null && o.side === 'buy' && (o.liveQty ?? 0) < (o.backtestQty ?? 0)) {
      o.reason = `gate 7: the backtest's orders would take the exposure to ${(cap * 100).toFixed(2)}% of equity at the decision close, above the regime's allocation ${(l!.allocation! * 100).toFixed(0)}% + tolerance ${(l!.tolerance * 100).toFixed(2)}%; both sides scale their BUYs to that cap, each on its own book at the decision close`;
      continue;
    }
    const btEquity = prev ? bt.equity[bt.dates.indexOf(prev.session)] : undefined;
    const equities = prev && btEquity !== undefined ? ` (equity at the decision close: account ${prev.equity.toFixed(2)}, backtest ${btEquity.toFixed(2)})` : '';
    o.reason = o.verdict === 'within one share' ? `whole-share rounding of the same target weight on slightly different equity${equities}` : `different cash or prices at the plan${equities}`;
  }
}

/** The exposure the backtest's orders of `date` would give the account's decision-close book, if above `cap`; else null. */
function overCap(snap: AccountSnapshot, bt: BacktestResult, date: string, cap: number, factor: ShareFactor, planned: (symbol: string) => number | undefined): number | null {
  if (!(snap.equity > 0)) return null;
  const qty = new Map(snap.positions.map((p) => [p.symbol, p.qty]));
  const price = new Map(snap.positions.map((p) => [p.symbol, p.price]));
  for (const t of bt.trades) {
    if (t.date !== date || t.intent === 'LIQUIDATE') continue;
    const f = factor(t.symbol, t.date);
    qty.set(t.symbol, (qty.get(t.symbol) ?? 0) + (t.side === 'buy' ? 1 : -1) * t.qty * f);
    // A name not held is valued at the account's plan price (the decision close), else the backtest's fill.
    if (!price.has(t.symbol)) price.set(t.symbol, planned(t.symbol) ?? t.price / f);
  }
  let gross = 0;
  for (const [s, q] of qty) gross += Math.abs(q * (price.get(s) ?? 0));
  const exposure = gross / snap.equity;
  return exposure > cap + 1e-9 ? exposure : null;
}
