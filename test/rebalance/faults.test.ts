import { afterEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/data/store/database.js';
import type { AlpacaBrokerOptions } from '../../src/execution/brokers/alpaca/index.js';
import { runRebalance, type RebalanceDeps, type RebalanceRequest, type RebalanceResult } from '../../src/execution/rebalance/orchestrator.js';
import { formatExecutionReport, formatPlanReport } from '../../src/execution/rebalance/report.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { brokerFor, type TestBroker } from '../brokers/helpers.js';
import { startFakeAlpaca, type FakeAlpaca } from '../support/fakeAlpaca.js';
import { useTempDirs } from '../support/tmp.js';
import { lastRawClose } from '../../src/execution/rebalance/signal.js';
import { BUILTIN_UNIVERSES, getUniverse } from '../../src/selection/universes.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { auditLeaks, auditProblems, duplicateServerOrders, events, fixedSignal, seedDemoStore } from './helpers.js';

/**
 * The rebalancer against the local fake Alpaca server with injected faults. The book: $50,000
 * cash, 1,000 INTC at $30 and 100 ORCL at $150 (equity $95,000); the signal: TREND_NEUTRAL
 * (70%), AAPL / MSFT / NVDA at 23.33% each. So every run CLOSEs INTC and ORCL, then OPENs three.
 * Virtual time: sleeps return at once and move the clock (the orchestrator's and the client's).
 */

const tmp = useTempDirs();
const PRICES: Record<string, number> = { AAPL: 190, MSFT: 410, NVDA: 140, INTC: 30, ORCL: 150 };

interface Rig {
  fake: FakeAlpaca;
  tb: TestBroker;
  dir: string;
  db: Database.Database;
  runs: RunStore;
  deps: RebalanceDeps;
  req: RebalanceRequest;
}

const open: Rig[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) {
    r.db.close();
    await r.fake.close();
  }
});

async function rig(opts: { alpaca?: Partial<AlpacaBrokerOptions>; req?: Partial<RebalanceRequest> } = {}): Promise<Rig> {
  const fake = await startFakeAlpaca({ cash: 50_000, prices: PRICES });
  for (const s of ['NVDA', 'INTC', 'ORCL']) fake.addAsset({ symbol: s, exchange: 'NASDAQ' });
  fake.setPosition('INTC', 1000, 28);
  fake.setPosition('ORCL', 100, 140);
  const tb = brokerFor(fake, { timeoutMs: 250, retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...opts.alpaca });
  venueMovesOnListReads(fake, tb);
  const dir = tmp();
  const db = openDatabase(dir);
  const now = () => new Date(tb.time.now());
  const runs = new RunStore(db, now);
  const deps: RebalanceDeps = {
    broker: tb.broker,
    runs,
    auditDir: dir,
    secrets: [fake.secretKey, fake.keyId],
    now,
    sleep: tb.time.sleep,
    signal: () => fixedSignal({ AAPL: 190, MSFT: 410, NVDA: 140 }),
    lastPrice: (s) => PRICES[s],
  };
  const req: RebalanceRequest = {
    universe: getUniverse('technology'),
    topN: 3,
    regimeOverride: 'TREND_NEUTRAL',
    account: 'LARGE',
    brokerKind: 'alpaca',
    yes: true,
    fillTimeoutMs: 10_000,
    pollMs: 500,
    cancelWaitMs: 2_000,
    onTimeout: 'cancel',
    allowStale: true,
    ...opts.req,
  };
  const r = { fake, tb, dir, db, runs, deps, req };
  open.push(r);
  return r;
}

/**
 * The fake advances an order's fill policy only when the order is read by id, while the
 * rebalancer now polls with one list call per cycle (as Alpaca's venue moves on its own). Until
 * the fake advances listed orders itself, each list call first reads every open order once by id
 * directly on the fake (outside the broker under test), so the venue progresses between polls.
 */
function venueMovesOnListReads(fake: FakeAlpaca, tb: TestBroker): void {
  const list = tb.broker.listOrders.bind(tb.broker);
  tb.broker.listOrders = async (q) => {
    const open = fake.state.orders.filter((o) => ['new', 'accepted', 'partially_filled', 'pending_new'].includes(o.status));
    for (const o of open) {
      await fetch(`${fake.url}/v2/orders/${o.id}`, { headers: { 'APCA-API-KEY-ID': fake.keyId, 'APCA-API-SECRET-KEY': fake.secretKey } }).catch(() => undefined);
    }
    return list(q);
  };
}

/** The invariants every fault test ends with. */
function assertClean(r: Rig, result: RebalanceResult): void {
  expect(duplicateServerOrders(r.fake)).toEqual([]);
  expect(auditProblems(r.dir, result.runId)).toEqual([]);
  expect(auditLeaks(r.dir, [r.fake.secretKey, r.fake.keyId])).toEqual([]);
  // One server order per client id, and each is one of the run's planned ids.
  const planned = new Set(r.runs.orders(result.runId).map((o) => o.clientOrderId));
  for (const o of r.fake.state.orders) if (o.client_order_id.startsWith('atlas-')) expect(planned.has(o.client_order_id)).toBe(true);
  // The report renders and names the outcome.
  const text = formatExecutionReport(result);
  expect(text).toContain(`Run ${result.runId}`);
  expect(text).toContain('Summary:');
}

function positions(fake: FakeAlpaca): Record<string, number> {
  return Object.fromEntries([...fake.state.positions].map(([s, p]) => [s, p.qty]));
}

describe('rebalance against the fake Alpaca server', () => {
  it('happy path: SELLs fill before BUYs, the book ends at ~70% in the three names', async () => {
    const r = await rig();
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome, formatExecutionReport(res)).toBe('completed');
    expect(positions(r.fake)).toEqual({ AAPL: 116, MSFT: 54, NVDA: 158 });
    const posts = r.fake.requests.filter((q) => q.route === 'POST /v2/orders').map((q) => (q.body as { side: string }).side);
    expect(posts).toEqual(['sell', 'sell', 'buy', 'buy', 'buy']);
    expect(res.final!.exposurePct).toBeCloseTo(66_300 / 95_000, 6);
    expect(formatPlanReport(res)).toContain('atlas-');
    assertClean(r, res);
  });

  it('429 bursts on every route are retried with backoff; nothing is doubled', async () => {
    const r = await rig();
    r.fake.injectFault({ route: '*', kind: 'rate_limit', times: 3, retryAfterSeconds: 1 });
    r.fake.injectFault({ route: 'POST /v2/orders', kind: 'rate_limit', times: 2, retryAfterSeconds: 1 });
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome).toBe('completed');
    expect(r.fake.requests.filter((q) => q.outcome === 429).length).toBe(5);
    expect(r.fake.pendingFaults()).toEqual([]);
    assertClean(r, res);
  });

  it('500s on reads and on order submission are retried; each order exists once', async () => {
    const r = await rig();
    r.fake.injectFault({ route: 'GET /v2/account', kind: 'server_error', times: 2 });
    r.fake.injectFault({ route: 'POST /v2/orders', kind: 'server_error', times: 2 });
    r.fake.injectFault({ route: 'GET /v2/orders/:id', kind: 'server_error', times: 2, status: 503 });
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome).toBe('completed');
    expect(r.fake.state.orders).toHaveLength(5);
    assertClean(r, res);
  });

  it('a hanging order POST times out, is looked up by client id and resubmitted once', async () => {
    const r = await rig();
    r.fake.injectFault({ route: 'POST /v2/orders', kind: 'hang', times: 1 });
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome).toBe('completed');
    expect(r.tb.events.some((e) => e.kind === 'submit-lookup')).toBe(true);
    expect(r.fake.state.orders).toHaveLength(5);
    assertClean(r, res);
  });

  it('a connection dropped after the server accepted an order: found by client id, never placed twice', async () => {
    const r = await rig();
    r.fake.injectFault({ route: 'POST /v2/orders', kind: 'drop_after_accept', times: 2 });
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome).toBe('completed');
    expect(r.fake.count('POST /v2/orders')).toBe(5);
    expect(r.fake.state.orders).toHaveLength(5);
    assertClean(r, res);
  });

  it('dropped connection AND a failing lookup: the run stops, resume reconciles and adopts the accepted order', async () => {
    const r = await rig({ alpaca: { maxSubmitAttempts: 1, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } } });
    r.fake.injectFault({ route: 'POST /v2/orders', kind: 'drop_after_accept', times: 1 });
    r.fake.injectFault({ route: 'GET /v2/orders:by_client_order_id', kind: 'server_error', times: 1 });
    await expect(runRebalance(r.req, r.deps)).rejects.toThrow(/stopped.*--resume \d{8}-[0-9a-f]{8}/);
    const runId = r.runs.list()[0].runId;
    expect(r.runs.orders(runId)[0].state).toBe('submitting');
    expect(r.fake.state.orders).toHaveLength(1); // the server did accept it

    const res = await runRebalance({ ...r.req, resumeRunId: runId }, r.deps);
    expect(res.outcome).toBe('completed');
    expect(res.resumed).toBe(true);
    expect(r.fake.state.orders).toHaveLength(5);
    const submitted = events(r.dir, runId, 'ORDER_SUBMITTED');
    expect(submitted.filter((e) => e.detail?.includes('reconciled'))).toHaveLength(1);
    expect(events(r.dir, runId, 'ERROR').length).toBeGreaterThan(0);
    assertClean(r, res);
  });

  it('a rejected order (refused at submit, and rejected after acceptance) is recorded; the rest trade', async () => {
    const r = await rig();
    r.fake.setFillPolicy({ kind: 'rejectAfterPolls', polls: 1 }, 'MSFT');
    r.deps.hooks = {
      afterSubmit: (o) => {
        // NVDA becomes untradable once the first BUY is out: its POST is refused (HTTP 422).
        if (o.symbol === 'AAPL') r.fake.state.assets.get('NVDA')!.tradable = false;
      },
    };
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome).toBe('completed_with_issues');
    const by = Object.fromEntries(res.orders.map((o) => [o.symbol, o]));
    expect(by.NVDA.state).toBe('rejected');
    expect(by.NVDA.reason).toContain('not tradable');
    expect(by.MSFT.state).toBe('rejected');
    expect(by.AAPL.state).toBe('filled');
    expect(res.summary.rejected).toBe(2);
    expect(events(r.dir, res.runId, 'ORDER_REJECTED')).toHaveLength(2);
    assertClean(r, res);
  });

  it('partial fills: the filled part is recorded, the rest is canceled at the timeout', async () => {
    const r = await rig();
    r.fake.setFillPolicy({ kind: 'partial', fraction: 0.5, fullAfterPolls: 10_000 }, 'AAPL');
    const res = await runRebalance(r.req, r.deps);
    const aapl = res.orders.find((o) => o.symbol === 'AAPL')!;
    expect(aapl).toMatchObject({ state: 'canceled', filledQty: 58 });
    expect(res.summary.partiallyFilled).toBe(1);
    expect(positions(r.fake).AAPL).toBe(58);
    const partial = events(r.dir, res.runId, 'PARTIAL_FILL');
    expect(partial).toHaveLength(1);
    expect(partial[0].fillQty).toBe(58);
    expect(events(r.dir, res.runId, 'ORDER_CANCELED').filter((e) => e.symbol === 'AAPL')).toHaveLength(1);
    assertClean(r, res);
  });

  it('a SELL that never fills is canceled at the timeout (--on-timeout cancel); BUYs shrink to what gate 7 allows', async () => {
    const r = await rig();
    r.fake.setFillPolicy({ kind: 'never' }, 'INTC');
    const res = await runRebalance(r.req, r.deps);
    const intc = res.orders.find((o) => o.symbol === 'INTC')!;
    expect(intc.state).toBe('canceled');
    expect(r.fake.ordersByClientId(intc.clientOrderId)[0].status).toBe('canceled');
    expect(positions(r.fake).INTC).toBe(1000);
    // INTC ($30,000) is still held: the BUYs may add at most 70.5% x 95,000 - 30,000.
    const buyCost = res.orders.filter((o) => o.side === 'buy').reduce((s, o) => s + o.filledQty * (o.filledAvgPrice ?? 0), 0);
    expect(buyCost).toBeLessThanOrEqual(0.705 * 95_000 - 30_000 + 1e-6);
    expect(res.buyPhase!.scale).toBeLessThan(1);
    expect(res.final!.exposurePct).toBeLessThanOrEqual(0.705 + 1e-9);
    // Waited the full fill timeout in virtual time before canceling.
    expect(r.tb.time.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10_000);
    assertClean(r, res);
  });

  it('a SELL that never fills is left open with --on-timeout leave, and a rerun the same day reconciles it', async () => {
    const r = await rig({ req: { onTimeout: 'leave' } });
    r.fake.setFillPolicy({ kind: 'never' }, 'INTC');
    const res = await runRebalance(r.req, r.deps);
    const intc = res.orders.find((o) => o.symbol === 'INTC')!;
    expect(intc.state).toBe('left_open');
    expect(r.fake.ordersByClientId(intc.clientOrderId)[0].status).toBe('new');
    expect(res.summary.leftOpen).toBe(1);
    assertClean(r, res);

    // Later the order fills at the venue; the same command reconciles it and places nothing new.
    const o = r.fake.ordersByClientId(intc.clientOrderId)[0];
    o.policy = { kind: 'immediate' };
    const before = r.fake.state.orders.length;
    const again = await runRebalance(r.req, r.deps);
    expect(again.outcome).toBe('already_completed');
    expect(r.fake.state.orders.length).toBe(before);
    expect(again.orders.find((x) => x.symbol === 'INTC')!.state).toBe('filled');
    expect(events(r.dir, res.runId, 'ORDER_FILLED').filter((e) => e.symbol === 'INTC')).toHaveLength(1);
    assertClean(r, again);
  });

  it('buying power lower than expected after the SELLs: BUYs are re-sized down, never above the plan', async () => {
    const r = await rig();
    r.fake.setFillPolicy({ kind: 'never' }, 'SPY');
    r.deps.lastPrice = (s) => (s === 'SPY' ? 560 : PRICES[s]);
    r.deps.hooks = {
      afterPhase: async (phase) => {
        // Someone else's open order reserves $56,000 of buying power between the phases.
        if (phase === 'sells') await r.tb.broker.submitOrder({ symbol: 'SPY', side: 'buy', qty: 100, type: 'market', timeInForce: 'day', clientOrderId: 'external-spy' });
      },
    };
    const res = await runRebalance(r.req, r.deps);
    expect(res.outcome, JSON.stringify(res.stoppedBy)).toBe('completed_with_issues');
    // The working SPY buy takes its cost plus the 3% buy headroom out of the cash; the broker's
    // buying power (95,000 - 56,000) is the other bound.
    expect(res.buyPhase!.cash).toBeCloseTo(95_000 - 56_000 * 1.03, 6);
    expect(res.buyPhase!.scale).toBeLessThan(1);
    const buys = res.orders.filter((o) => o.side === 'buy');
    for (const b of buys) expect(b.qty).toBeLessThanOrEqual(b.plannedQty);
    expect(buys.some((b) => b.qty < b.plannedQty)).toBe(true);
    const cost = buys.reduce((s, b) => s + b.qty * b.refPrice, 0);
    expect(cost).toBeLessThanOrEqual(39_000);
    expect(buys.every((b) => b.state === 'filled' || b.state === 'skipped')).toBe(true);
    expect(events(r.dir, res.runId, 'ORDER_PLANNED').some((e) => e.status === 'resized')).toBe(true);
    assertClean(r, res);
  });

  it('prices that rose after the plan: the BUYs are re-sized at the latest price, so they never cost more than the cash', async () => {
    const r = await rig();
    const planned = { AAPL: 190, MSFT: 410, NVDA: 140 } as Record<string, number>;
    r.deps.hooks = {
      afterPhase: (phase) => {
        // Between the phases the BUY names open twice as high as the plan's closes.
        if (phase === 'sells') r.deps.lastPrice = (s) => (s in planned ? planned[s] * 2 : PRICES[s]);
      },
    };
    const res = await runRebalance(r.req, r.deps);
    expect(res.buyPhase!.scale).toBeLessThan(1);
    const buys = res.orders.filter((o) => o.side === 'buy' && o.qty > 0);
    expect(buys.length).toBeGreaterThan(0);
    for (const b of buys) expect(b.refPrice).toBe(planned[b.symbol]);
    const atLatest = buys.reduce((s, b) => s + b.qty * planned[b.symbol] * 2, 0) * 1.03;
    expect(atLatest).toBeLessThanOrEqual(res.buyPhase!.cash + 1e-6);
    assertClean(r, res);
  });

  it('process killed between the phases: resume submits only the BUYs', async () => {
    const r = await rig();
    r.deps.hooks = {
      afterPhase: (phase) => {
        if (phase === 'sells') throw new Error('SIGKILL (simulated)');
      },
    };
    await expect(runRebalance(r.req, r.deps)).rejects.toThrow('SIGKILL');
    const runId = r.runs.list()[0].runId;
    expect(r.runs.get(runId)!.phase).toBe('buys');
    expect(r.fake.state.orders.map((o) => o.side)).toEqual(['sell', 'sell']);
    // The killed invocation left a RUN_START without RUN_END.
    expect(events(r.dir, runId, 'RUN_START')).toHaveLength(1);
    expect(events(r.dir, runId, 'RUN_END')).toHaveLength(0);

    r.deps.hooks = {};
    const res = await runRebalance({ ...r.req, resumeRunId: runId }, r.deps);
    expect(res.outcome).toBe('completed');
    expect(r.fake.state.orders.map((o) => o.side)).toEqual(['sell', 'sell', 'buy', 'buy', 'buy']);
    expect(positions(r.fake)).toEqual({ AAPL: 116, MSFT: 54, NVDA: 158 });
    expect(events(r.dir, runId, 'RUN_END').map((e) => e.status)).toEqual(['ABORTED', 'OK']);
    assertClean(r, res);
  });

  it('process killed right after an order was accepted, and right after persisting: the same command finishes the job', async () => {
    for (const where of ['afterSubmit', 'afterPersist'] as const) {
      const r = await rig();
      let armed = true;
      r.deps.hooks = {
        [where]: () => {
          if (armed) {
            armed = false;
            throw new Error('SIGKILL (simulated)');
          }
        },
      };
      await expect(runRebalance(r.req, r.deps)).rejects.toThrow('SIGKILL');
      const res = await runRebalance(r.req, r.deps); // same command, same day: resumes
      expect(res.resumed).toBe(true);
      expect(res.outcome).toBe('completed');
      expect(r.fake.state.orders).toHaveLength(5);
      assertClean(r, res);
    }
  });

  it('submission failing past every retry interrupts the run with a resume sentence; resume completes it', async () => {
    const r = await rig({ alpaca: { maxSubmitAttempts: 2 } });
    r.fake.injectFault({ route: 'POST /v2/orders', kind: 'server_error', times: 2 });
    let err: unknown;
    try {
      await runRebalance(r.req, r.deps);
    } catch (e) {
      err = e;
    }
    expect(String((err as Error).message)).toMatch(/^Rebalance run \d{8}-[0-9a-f]{8} stopped: .*nothing is lost, run `atlas rebalance --resume/);
    const runId = r.runs.list()[0].runId;
    expect(events(r.dir, runId, 'RUN_END')[0].status).toBe('INTERRUPTED');
    expect(r.fake.state.orders).toHaveLength(0);
    const res = await runRebalance({ ...r.req, resumeRunId: runId }, r.deps);
    expect(res.outcome).toBe('completed');
    assertClean(r, res);
  });
});

describe('atlas rebalance --broker alpaca (the CLI against the fake server)', () => {
  it('trades through createBroker with ATLAS_ALPACA_TRADING_URL, keys redacted from the audit log; a rerun places nothing', { timeout: 60_000 }, async () => {
    const dir = tmp();
    const { db, store } = seedDemoStore(dir);
    const closes: Record<string, number> = {};
    for (const s of BUILTIN_UNIVERSES.technology) {
      const p = lastRawClose(store, s);
      if (p !== undefined) closes[s] = p;
    }
    db.close();
    const fake = await startFakeAlpaca({ cash: 100_000, prices: closes });
    try {
      for (const s of Object.keys(closes)) if (!fake.state.assets.has(s)) fake.addAsset({ symbol: s });
      const env = { ATLAS_ALPACA_TRADING_URL: fake.url, ALPACA_LARGE_KEY: fake.keyId, ALPACA_LARGE_SECRET: fake.secretKey };
      const args = ['--data-dir', dir, 'rebalance', '--universe', 'technology', '--top-n', '3', '--regime', 'TREND_NEUTRAL', '--force', '--broker', 'alpaca', '--yes', '--fill-timeout', '5', '--json', '--allow-stale'];
      const first = await atlasInProcess(args, { env });
      expect(first.code, first.stderr).toBe(0);
      const r = JSON.parse(first.stdout) as RebalanceResult;
      expect(r.outcome).toBe('completed');
      expect(r.broker).toBe('alpaca');
      expect(fake.state.orders).toHaveLength(3);
      const again = await atlasInProcess(args, { env });
      expect(again.code, again.stderr).toBe(0);
      expect((JSON.parse(again.stdout) as RebalanceResult).outcome).toBe('already_completed');
      expect(fake.state.orders).toHaveLength(3);
      expect(duplicateServerOrders(fake)).toEqual([]);
      expect(auditProblems(dir, r.runId)).toEqual([]);
      expect(auditLeaks(dir, [fake.keyId, fake.secretKey])).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
