/**
 * @module The pre-flight step of a fresh run: reads what the five checks need (the store's last
 * bars, the broker's latest trades, today's buy fills) and runs them; a FAIL stops the run
 * before the seven gates, with its number and reason. The checks themselves are pure
 * (src/execution/preflight/).
 */
import { nyDateOf, sessionTimes, isTradingDay } from '../../calendar/nyse.js';
import { DateTime } from 'luxon';
import type { LatestTrade } from '../brokers/broker.js';
import { formatPreflightResults, preflightPassed, runPreflight, type PreflightResult } from '../preflight/index.js';
import type { RunContext } from './context.js';
import type { BrokerSnapshot } from './plan.js';
import type { RebalanceSignal } from './signal.js';
import type { PlanOrderView, RebalanceResult } from './types.js';

const BENCHMARKS = ['SPY', 'VIX'];

function startOfNyDay(now: Date): Date {
  const d = nyDateOf(now);
  return isTradingDay(d) ? new Date(sessionTimes(d).open.getTime() - 6 * 3600_000) : DateTime.fromISO(d, { zone: 'America/New_York' }).toJSDate();
}

async function latestTrades(ctx: RunContext, symbols: readonly string[]): Promise<Map<string, LatestTrade> | undefined> {
  if (!ctx.broker.getLatestTrades || symbols.length === 0) return symbols.length === 0 ? new Map() : undefined;
  try {
    return await ctx.broker.getLatestTrades(symbols);
  } catch (err) {
    ctx.note(`could not read the broker's latest trades (${err instanceof Error ? err.message : String(err)}); the price check is not made`);
    return undefined;
  }
}

async function boughtToday(ctx: RunContext): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    for (const o of await ctx.broker.listOrders({ status: 'all', after: startOfNyDay(ctx.now()) })) {
      if (o.side === 'buy' && o.filledQty > 0) out.set(o.symbol, (out.get(o.symbol) ?? 0) + o.filledQty);
    }
  } catch (err) {
    ctx.note(`could not list today's orders for the day-trade check (${err instanceof Error ? err.message : String(err)})`);
  }
  return out;
}

/** Runs the five checks; returns the stopped result when one FAILs. */
export async function runPreflightStep(ctx: RunContext, signal: RebalanceSignal, snap: BrokerSnapshot, views: readonly PlanOrderView[]): Promise<{ results: PreflightResult[]; stopped?: RebalanceResult }> {
  const symbols = [...new Set(views.map((v) => v.symbol))];
  const lastBarDates = new Map<string, string>();
  const lastCloses = new Map<string, number>();
  const store = ctx.deps.store;
  const benchmarks = store ? BENCHMARKS : [];
  for (const s of [...symbols, ...benchmarks]) {
    const date = store ? store.symbolInfo(s)?.lastDate ?? undefined : signal.dataDate;
    if (date) lastBarDates.set(s, date);
    const close = ctx.lastPrice(s) ?? signal.prices[s];
    if (close !== undefined) lastCloses.set(s, close);
  }
  const results = runPreflight({
    account: snap.account,
    orders: views.map((v) => ({ symbol: v.symbol, side: v.side, qty: v.qty })),
    now: ctx.now(),
    lastBarDates,
    lastCloses,
    latestTrades: await latestTrades(ctx, symbols),
    boughtToday: await boughtToday(ctx),
    options: {
      allowStale: ctx.req.allowStale === true,
      benchmarks,
      ...(ctx.req.priceBand === undefined ? {} : { priceBand: ctx.req.priceBand }),
    },
  });
  ctx.result.preflight = results;
  for (const r of results) ctx.log.append({ event: 'PREFLIGHT', gate: r.check, result: r.result, reason: r.reason, detail: r.name });
  if (preflightPassed(results)) return { results };
  const failed = results.find((r) => r.result === 'FAIL')!;
  ctx.result.outcome = 'stopped';
  ctx.result.stoppedBy = { gate: 0, name: `pre-flight P${failed.check} ${failed.name}`, reason: failed.reason };
  ctx.settle();
  ctx.endRun({ outcome: 'stopped', what: 'the pre-flight checks', check: failed.check, name: failed.name, reason: failed.reason }, 'STOPPED');
  ctx.note(`stopped by the pre-flight checks:\n${formatPreflightResults(results)}`);
  return { results, stopped: ctx.result };
}
