import { afterEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { ManualClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/data/store/database.js';
import { runRebalance, type RebalanceDeps, type RebalanceRequest } from '../../src/execution/rebalance/orchestrator.js';
import { formatExecutionReport } from '../../src/execution/rebalance/report.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { getUniverse } from '../../src/selection/universes.js';
import { useTempDirs } from '../support/tmp.js';
import { FakeBroker } from './fakeBroker.js';
import { auditProblems, events, fixedSignal } from './helpers.js';

/**
 * The order life cycle through the orchestrator with an in-test broker: queued orders outside
 * market hours and --resume after the open, one list request per poll cycle, a single missing
 * order, an unknown status, and --abandon.
 */
const tmp = useTempDirs();
const PRICES: Record<string, number> = { AAPL: 190, MSFT: 410, NVDA: 140, INTC: 30 };
const SATURDAY = '2026-11-28T15:00:00Z';
const MONDAY_OPEN = '2026-11-30T15:00:00Z'; // 10:00 New York
const TUESDAY_OPEN = '2026-11-24T15:00:00Z';

interface Rig {
  clock: ManualClock;
  broker: FakeBroker;
  db: Database.Database;
  runs: RunStore;
  dir: string;
  deps: RebalanceDeps;
  req: RebalanceRequest;
}

const dbs: Database.Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function rig(at: string, opts: { intc?: number; prices?: Record<string, number>; req?: Partial<RebalanceRequest> } = {}): Rig {
  const clock = new ManualClock(at);
  const broker = new FakeBroker(clock, PRICES, 50_000);
  if (opts.intc) broker.positions.set('INTC', opts.intc);
  const dir = tmp();
  const db = openDatabase(dir);
  dbs.push(db);
  const runs = new RunStore(db, clock);
  const notes: string[] = [];
  const deps: RebalanceDeps = { broker, runs, auditDir: dir, clock, signal: () => fixedSignal(opts.prices), lastPrice: (s) => PRICES[s], note: (t) => notes.push(t) };
  const req: RebalanceRequest = { universe: getUniverse('technology'), topN: 3, regimeOverride: 'TREND_NEUTRAL', account: 'LARGE', brokerKind: 'paper', yes: true, force: true, fillTimeoutMs: 10_000, pollMs: 500, cancelWaitMs: 2_000, allowStale: true, ...opts.req };
  return { clock, broker, db, runs, dir, deps, req };
}

function noDuplicates(b: FakeBroker): void {
  const cids = b.orders.map((o) => o.clientOrderId);
  expect(new Set(cids).size).toBe(cids.length);
}

describe('orders outside market hours', () => {
  it('--force while closed: SELLs queued, run ends queued; --resume after the open waits for the SELLs, re-sizes and sends the BUYs; nothing canceled', async () => {
    const r = rig(SATURDAY, { intc: 1000 });
    const first = await runRebalance(r.req, r.deps);
    expect(first.outcome, formatExecutionReport(first)).toBe('queued');
    expect(first.queued).toMatchObject({ phase: 'sells', nextOpen: '2026-11-30T14:30:00.000Z', resume: `atlas rebalance --resume ${first.runId}` });
    expect(first.orders.filter((o) => o.side === 'sell').map((o) => o.state)).toEqual(['queued']);
    expect(first.orders.filter((o) => o.side === 'buy').every((o) => o.state === 'planned')).toBe(true);
    expect(r.broker.orders.map((o) => o.side)).toEqual(['sell']);
    expect(r.runs.get(first.runId)).toMatchObject({ status: 'queued', phase: 'sells' });
    expect(events(r.dir, first.runId, 'RUN_END').map((e) => e.status)).toEqual(['QUEUED']);
    expect(formatExecutionReport(first)).toContain('--resume');

    // Resumed too early (still closed): still queued, still nothing canceled.
    r.clock.set('2026-11-30T13:00:00Z');
    expect((await runRebalance({ ...r.req, resumeRunId: first.runId }, r.deps)).outcome).toBe('queued');

    r.clock.set(MONDAY_OPEN);
    const done = await runRebalance({ ...r.req, resumeRunId: first.runId }, r.deps);
    expect(done.outcome, formatExecutionReport(done)).toBe('completed');
    expect(r.broker.orders.map((o) => o.side)).toEqual(['sell', 'buy', 'buy', 'buy']);
    expect(r.broker.n('cancelOrder')).toBe(0);
    expect(r.broker.positions.get('INTC')).toBeUndefined();
    noDuplicates(r.broker);
    expect(auditProblems(r.dir, first.runId)).toEqual([]);
  });

  it('no SELLs: the BUYs are queued directly and fill after the open on --resume', async () => {
    const r = rig(SATURDAY);
    const first = await runRebalance(r.req, r.deps);
    expect(first.outcome).toBe('queued');
    expect(first.queued?.phase).toBe('buys');
    expect(first.orders.map((o) => o.state)).toEqual(['queued', 'queued', 'queued']);
    // The fill timeout does not run while closed: the clock never moved.
    expect(r.clock.now().toISOString()).toBe(new Date(SATURDAY).toISOString());
    r.clock.set(MONDAY_OPEN);
    const done = await runRebalance({ ...r.req, resumeRunId: first.runId }, r.deps);
    expect(done.outcome).toBe('completed');
    expect(r.broker.orders).toHaveLength(3);
    expect(r.broker.n('cancelOrder')).toBe(0);
    expect(auditProblems(r.dir, first.runId)).toEqual([]);
  });
});

describe('BUYs after the open (the daemon: buysAfterOpen)', () => {
  it('no SELLs: nothing is sent while closed; the resume after the open re-sizes the BUYs at the opening prices', async () => {
    const r = rig(SATURDAY, { req: { buysAfterOpen: true, buyPriceBuffer: 0 } });
    const first = await runRebalance(r.req, r.deps);
    expect(first.outcome, formatExecutionReport(first)).toBe('queued');
    expect(first.queued?.phase).toBe('buys');
    expect(r.broker.orders).toHaveLength(0);
    expect(first.orders.every((o) => o.state === 'planned')).toBe(true);
    expect(r.runs.get(first.runId)).toMatchObject({ status: 'queued', phase: 'buys' });
    const planned = new Map(first.orders.map((o) => [o.symbol, o.qty]));

    // The market opens 10% up: the BUYs planned at the close no longer fit (gate 7's room, the cash).
    r.clock.set(MONDAY_OPEN);
    const up = Object.fromEntries(Object.entries(PRICES).map(([s, p]) => [s, p * 1.1]));
    r.deps.lastPrice = (s) => up[s];
    const done = await runRebalance({ ...r.req, resumeRunId: first.runId }, r.deps);
    expect(done.outcome, formatExecutionReport(done)).not.toBe('queued');
    expect(done.buyPhase!.scale).toBeLessThan(1);
    const buys = done.orders.filter((o) => o.side === 'buy' && o.qty > 0);
    expect(buys.length).toBeGreaterThan(0);
    for (const b of buys) expect(b.qty).toBeLessThanOrEqual(planned.get(b.symbol)!);
    expect(buys.reduce((a, b) => a + b.qty * up[b.symbol], 0)).toBeLessThanOrEqual(done.buyPhase!.cash + 1e-6);
    expect(r.broker.orders.every((o) => o.side === 'buy')).toBe(true);
    noDuplicates(r.broker);
    expect(auditProblems(r.dir, first.runId)).toEqual([]);
  });
});

describe('polling', () => {
  async function listCalls(symbols: Record<string, number>): Promise<{ lists: number; gets: number; orders: number }> {
    const r = rig(TUESDAY_OPEN, { prices: symbols });
    for (const s of Object.keys(symbols)) r.broker.behaviours.set(s, { kind: 'fillAfterLists', lists: 4 });
    Object.assign(r.broker.prices, symbols);
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome).toBe('completed');
    return { lists: r.broker.n('listOrders'), gets: r.broker.n('getOrder') + r.broker.n('getOrderByClientId'), orders: res.orders.length };
  }

  it('one list request per poll cycle whatever the number of working orders; no GET per order', async () => {
    const few = await listCalls({ AAPL: 190, MSFT: 410 });
    const many = await listCalls({ AAPL: 190, MSFT: 410, NVDA: 140, A1: 50, A2: 60, A3: 70, A4: 80, A5: 90 });
    expect(few.orders).toBe(2);
    expect(many.orders).toBe(8);
    expect(many.lists).toBe(few.lists);
    // one for the pre-flight's day-trade check (today's fills), then one per poll cycle
    expect(few.lists).toBe(5);
    expect(many.gets).toBe(0);
  });

  it('an order missing from one list answer is looked up by client order id; the run goes on', async () => {
    const r = rig(TUESDAY_OPEN);
    r.broker.behaviours.set('MSFT', { kind: 'hideOnce' });
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome).toBe('completed');
    expect(r.broker.n('getOrderByClientId')).toBe(1);
    expect(res.orders.every((o) => o.state === 'filled')).toBe(true);
  });

  it('an order status Atlas does not know is treated as working and noted once', async () => {
    const r = rig(TUESDAY_OPEN);
    r.broker.behaviours.set('NVDA', { kind: 'unknownFor', lists: 3, raw: 'pending_moon' });
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome).toBe('completed');
    expect(res.notes.filter((n) => n.includes('pending_moon'))).toHaveLength(1);
    expect(res.orders.find((o) => o.symbol === 'NVDA')!.state).toBe('filled');
  });
});

describe('--abandon', () => {
  it('after the broker forgot an order (paper reset): reruns name --abandon; abandon closes the run and the same command runs again', async () => {
    const r = rig(TUESDAY_OPEN, { req: { onTimeout: 'leave' } });
    r.broker.behaviours.set('AAPL', { kind: 'never' });
    const first = await runRebalance(r.req, r.deps);
    expect(first.orders.find((o) => o.symbol === 'AAPL')!.state).toBe('left_open');
    r.broker.forgetOrders();

    await expect(runRebalance(r.req, r.deps)).rejects.toThrow(new RegExp(`cannot find it now.*atlas rebalance --abandon ${first.runId}`));
    await expect(runRebalance({ ...r.req, resumeRunId: first.runId }, r.deps)).rejects.toMatchObject({ code: 'RUN_ORDER_LOST' });

    const ab = await runRebalance({ ...r.req, abandonRunId: first.runId }, r.deps);
    expect(ab.outcome).toBe('abandoned');
    expect(ab.orders.find((o) => o.symbol === 'AAPL')!.state).toBe('lost');
    expect(r.runs.get(first.runId)!.status).toBe('abandoned');
    expect(events(r.dir, first.runId, 'RUN_END').at(-1)!.status).toBe('ABANDONED');

    r.broker.behaviours.clear();
    const again = await runRebalance(r.req, r.deps);
    expect(again.runId).toBe(`${first.runId}-2`);
    expect(again.outcome).toBe('completed');
  });

  it('cancels what is still working (queued while closed) after confirmation, never without it', async () => {
    const r = rig(SATURDAY);
    const first = await runRebalance(r.req, r.deps);
    expect(first.outcome).toBe('queued');
    await expect(runRebalance({ ...r.req, yes: false, abandonRunId: first.runId }, r.deps)).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(r.broker.n('cancelOrder')).toBe(0);
    const declined = await runRebalance({ ...r.req, yes: false, abandonRunId: first.runId }, { ...r.deps, confirm: () => Promise.resolve(false) });
    expect(declined.outcome).toBe('declined');
    expect(r.broker.n('cancelOrder')).toBe(0);
    const ab = await runRebalance({ ...r.req, yes: false, abandonRunId: first.runId }, { ...r.deps, confirm: () => Promise.resolve(true) });
    expect(ab.outcome).toBe('abandoned');
    expect(r.broker.n('cancelOrder')).toBe(3);
    expect(ab.orders.map((o) => o.state)).toEqual(['canceled', 'canceled', 'canceled']);
    expect(r.broker.orders.every((o) => o.status === 'canceled')).toBe(true);
    expect(auditProblems(r.dir, first.runId)).toEqual([]);
  });
});
