/**
 * A second, deliberately simple backtest simulator used only to cross-check src/backtest/engine.ts.
 * Day-by-day loop over plain objects, no precomputation: the 52-week high is found by scanning
 * back over the bars on every rebalance date, rebalance dates are found by boundary crossing
 * (not period keys), the regime by a backward search. It shares planOrders and capExposure with
 * the engine on purpose (one order-planning function for backtest and live, gate 7's cap
 * included), and at the fill the same regimeRoom / regimeScaleFactor rule the live BUY phase
 * re-sizes with, nothing else.
 */
import { capExposure, planOrders } from '../../src/execution/orderPlan.js';
import { regimeRoom, regimeScaleFactor } from '../../src/portfolio/buyScaling.js';
import type { Panel } from '../../src/data/panel.js';
import type { AllocationMatrix, Regime } from '../../src/portfolio/allocation.js';

interface Bar {
  open: number;
  high: number;
  close: number;
  adj: number;
  volume: number;
}

export interface RefConfig {
  symbols?: string[]; // universe (static); default all
  isMember?: (symbol: string, date: string) => boolean;
  topN: number;
  minDistance: number;
  volumeFilter: boolean;
  volumeMultiplier: number;
  lookback: number;
  volumeWindow: number;
  rebalance: 'semiannual' | 'quarterly' | 'monthly';
  from: string;
  to: string;
  initialCash: number;
  regimeMode: 'off' | 'rebalance' | 'daily';
  allocation: AllocationMatrix;
  fill: 'open' | 'close';
  commissionBps: number;
  slippageBps: number;
  wholeShares: boolean;
  minNotional: number;
  cashRate: number;
  /** Gate 7's slack above the allocation (default 0.005, as the engine). */
  regimeTolerance?: number;
}

export interface RefResult {
  dates: string[];
  equity: number[];
  tradeCount: number;
}

function isRebalanceCrossing(prev: string, date: string, freq: RefConfig['rebalance']): boolean {
  const months = freq === 'monthly' ? ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'] : freq === 'quarterly' ? ['01', '04', '07', '10'] : ['02', '08'];
  for (let y = Number(prev.slice(0, 4)); y <= Number(date.slice(0, 4)); y++) {
    for (const mm of months) {
      const boundary = `${y}-${mm}-01`;
      if (prev < boundary && boundary <= date) return true;
    }
  }
  return false;
}

export function referenceBacktest(
  panel: Panel,
  regimeSeries: { dates: string[]; regimes: (Regime | null)[] } | null,
  cfg: RefConfig,
): RefResult {
  const T = panel.dates.length;
  // Plain objects: bars[symbol][dateIndex] or null.
  const bars: Record<string, (Bar | null)[]> = {};
  panel.symbols.forEach((sym, s) => {
    const list: (Bar | null)[] = [];
    for (let d = 0; d < T; d++) {
      const k = s * T + d;
      const b = { open: panel.open[k], high: panel.high[k], close: panel.close[k], adj: panel.adjClose[k], volume: panel.volume[k] };
      const ok = [b.close, b.adj, b.high].every((v) => Number.isFinite(v) && v > 0);
      list.push(ok ? b : null);
    }
    bars[sym] = list;
  });
  const universe = (cfg.symbols ?? panel.symbols).filter((s) => s in bars);

  const regimeOn = (date: string): Regime | null => {
    if (!regimeSeries) return null;
    for (let i = regimeSeries.dates.length - 1; i >= 0; i--) if (regimeSeries.dates[i] <= date) return regimeSeries.regimes[i];
    return null;
  };
  const allocFor = (r: Regime | null): number => (cfg.regimeMode === 'off' || r === null ? 1 : cfg.allocation[r]);

  const scan = (d: number): string[] => {
    const date = panel.dates[d];
    const found: { sym: string; dist: number }[] = [];
    for (const sym of universe) {
      if (cfg.isMember && !cfg.isMember(sym, date)) continue;
      const today = bars[sym][d];
      if (!today) continue;
      const window: Bar[] = [];
      for (let e = d; e >= 0 && window.length < cfg.lookback; e--) if (bars[sym][e]) window.push(bars[sym][e]!);
      if (window.length < cfg.lookback) continue;
      const hi = Math.max(...window.map((b) => b.high * (b.adj / b.close)));
      const dist = today.adj / hi;
      if (!(dist >= cfg.minDistance)) continue;
      if (cfg.volumeFilter) {
        const prior: number[] = [];
        for (let e = d - 1; e >= 0 && prior.length < cfg.volumeWindow; e--) if (bars[sym][e]) prior.unshift(bars[sym][e]!.volume);
        if (prior.length < cfg.volumeWindow) continue;
        let sum = 0;
        for (const v of prior) sum += v;
        if (!(today.volume > cfg.volumeMultiplier * (sum / cfg.volumeWindow))) continue;
      }
      found.push({ sym, dist });
    }
    found.sort((a, b) => (b.dist !== a.dist ? b.dist - a.dist : a.sym < b.sym ? -1 : 1));
    return found.slice(0, cfg.topN).map((f) => f.sym);
  };

  const lastBarIndex = (sym: string): number => {
    let last = -1;
    bars[sym].forEach((b, i) => {
      if (b) last = i;
    });
    return last;
  };

  const slip = cfg.slippageBps / 10_000;
  const comm = cfg.commissionBps / 10_000;
  const state = {
    cash: cfg.initialCash,
    qty: {} as Record<string, number>,
    px: {} as Record<string, number>,
    trades: 0,
  };
  const sell = (sym: string, qty: number, ref: number): void => {
    const gross = qty * (ref * (1 - slip));
    state.cash += gross - gross * comm;
    state.trades++;
    if (qty >= state.qty[sym]) {
      delete state.qty[sym];
      delete state.px[sym];
    } else state.qty[sym] -= qty;
  };

  type Order = ReturnType<typeof planOrders>['orders'][number];
  const tolerance = cfg.regimeTolerance ?? 0.005;
  const fillAt = (orders: Order[], d: number, atOpen: boolean, cap: number): void => {
    const priceOf = (sym: string): number | null => {
      const b = bars[sym][d];
      if (!b) return null;
      if (!atOpen) return b.adj;
      return Number.isFinite(b.open) && b.open > 0 ? b.open * (b.adj / b.close) : null;
    };
    for (const o of orders.filter((x) => x.side === 'sell')) {
      const held = state.qty[o.symbol] ?? 0;
      if (held <= 0) continue;
      const p = priceOf(o.symbol);
      if (p === null) continue;
      sell(o.symbol, o.intent === 'CLOSE' ? held : Math.min(o.qty, held), p);
    }
    const buys = orders.filter((x) => x.side === 'buy').map((o) => ({ o, p: priceOf(o.symbol) })).filter((x): x is { o: Order; p: number } => x.p !== null);
    const need = buys.reduce((acc, { o, p }) => acc + o.qty * (p * (1 + slip)) * (1 + comm), 0);
    const cashK = need > state.cash ? (state.cash > 0 ? (state.cash / need) * (1 - 1e-12) : 0) : 1;
    // Gate 7's room at the fill prices (a held name without one at its last close).
    let book = 0;
    for (const sym of Object.keys(state.qty)) book += state.qty[sym] * (priceOf(sym) ?? state.px[sym]);
    const value = buys.reduce((acc, { o, p }) => acc + o.qty * p, 0);
    const k = Math.min(cashK, regimeScaleFactor(value, regimeRoom(cap, state.cash + book, book)));
    for (const { o, p } of buys) {
      const qty = k < 1 ? (cfg.wholeShares ? Math.floor(o.qty * k) : o.qty * k) : o.qty;
      if (!(qty > 0) || qty * p < cfg.minNotional) continue;
      const gross = qty * (p * (1 + slip));
      state.cash -= gross + gross * comm;
      state.trades++;
      state.qty[o.symbol] = (state.qty[o.symbol] ?? 0) + qty;
      if (!(o.symbol in state.px)) state.px[o.symbol] = p;
    }
    if (state.cash < 0 && state.cash > -1e-6) state.cash = 0;
  };

  const dates: string[] = [];
  const equity: number[] = [];
  let pending: { orders: Order[]; cap: number } | null = null;
  let chosen: string[] = [];
  let applied = 1;
  let first = -1;
  let last = -1;
  panel.dates.forEach((date, d) => {
    if (date >= cfg.from && date <= cfg.to) {
      if (first < 0) first = d;
      last = d;
    }
  });

  const target = (d: number, names: string[], alloc: number): void => {
    const weights = new Map(names.map((s) => [s, alloc / cfg.topN] as const));
    const prices = new Map<string, number>();
    for (const sym of Object.keys(state.qty)) prices.set(sym, state.px[sym]);
    for (const sym of names) if (bars[sym][d]) prices.set(sym, bars[sym][d]!.adj);
    const holdings = new Map(Object.entries(state.qty));
    const planned = planOrders({
      holdings,
      prices,
      cash: state.cash,
      targetWeights: weights,
      wholeShares: cfg.wholeShares,
      minNotional: cfg.minNotional,
      costBps: ((1 + slip) * (1 + comm) - 1) * 10_000,
    });
    const cap = alloc + tolerance;
    const plan = capExposure(planned, holdings, prices, cap, cfg.minNotional, cfg.wholeShares);
    if (cfg.fill === 'close') fillAt(plan.orders, d, false, cap);
    else if (d < last) pending = { orders: plan.orders, cap };
  };

  for (let d = first; d >= 0 && d <= last; d++) {
    const date = panel.dates[d];
    if (d > first && cfg.cashRate !== 0 && state.cash > 0) state.cash += state.cash * (cfg.cashRate / 252);
    for (const sym of Object.keys(state.qty)) if (d > lastBarIndex(sym)) sell(sym, state.qty[sym], state.px[sym]);
    if (pending) {
      const p: { orders: Order[]; cap: number } = pending;
      pending = null;
      fillAt(p.orders, d, true, p.cap);
    }
    for (const sym of Object.keys(state.qty)) if (bars[sym][d]) state.px[sym] = bars[sym][d]!.adj;

    const alloc = allocFor(regimeOn(date));
    if (d === first || isRebalanceCrossing(panel.dates[d - 1], date, cfg.rebalance)) {
      chosen = scan(d);
      applied = alloc;
      target(d, chosen, alloc);
    } else if (cfg.regimeMode === 'daily' && alloc !== applied) {
      applied = alloc;
      target(d, chosen, alloc);
    }
    let value = state.cash;
    for (const sym of Object.keys(state.qty)) value += state.qty[sym] * state.px[sym];
    dates.push(date);
    equity.push(value);
  }
  return { dates, equity, tradeCount: state.trades };
}
