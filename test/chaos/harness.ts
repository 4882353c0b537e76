/**
 * @module The crash and concurrency harness: the real `atlas` binary (dist/) against a data dir
 * seeded with the demo market, on the embedded paper broker or the local fake Alpaca, with the
 * checks every scenario ends with: orders at the broker (no client order id twice, no two orders
 * for one run/symbol/leg), audit lines for every stored order event, `atlas log verify`, and the
 * account's resulting exposure (positions plus working buys) against the regime's allocation.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openDatabase } from '../../src/data/store/database.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { readExecutionLog } from '../../src/execution/audit/executionLog.js';
import { eventToAudit } from '../../src/execution/orders/toAudit.js';
import { lastRawClose } from '../../src/execution/rebalance/signal.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { BUILTIN_UNIVERSES } from '../../src/selection/universes.js';
import { runAtlas, type CliResult } from '../support/cli.js';
import { startFakeAlpaca, type FakeAlpaca, type FakeAlpacaOptions } from '../support/fakeAlpaca.js';
import { seedDemoStore } from '../rebalance/helpers.js';

/** 10:00 New York on the session after the demo market's last bar (2024-12-31): open, data current. */
export const SESSION = '2025-01-02T15:00:00Z';
/** TREND_NEUTRAL's allocation plus gate 7's tolerance. */
export const NEUTRAL_CAP = 0.7 + 0.005;
/** Canary keys: any of them in an output or a file is a leak. */
export const KEY_ID = 'PKCHAOSCANARYKEY0001';
export const SECRET = 'chaos-canary-secret-Xq73Lw9';

export type BrokerKind = 'paper' | 'alpaca';

/** One order at the broker, in the few fields the checks need. */
export interface BrokerOrder {
  clientOrderId: string;
  symbol: string;
  side: string;
  status: string;
  qty: number;
  filledQty: number;
}

export interface Exposure {
  equity: number;
  /** Market value of positions plus the unfilled part of every working BUY. */
  exposure: number;
  pct: number;
  positions: Record<string, number>;
}

/** A data dir and a broker for one trial; `close` stops the fake and removes the dir. */
export interface Rig {
  kind: BrokerKind;
  dir: string;
  env: Record<string, string>;
  fake?: FakeAlpaca;
  orders(): BrokerOrder[];
  exposure(): Exposure;
  close(): Promise<void>;
}

// ---- data dirs ------------------------------------------------------------------------------

let template: string | undefined;
const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  if (template) rmSync(template, { recursive: true, force: true });
  template = undefined;
});

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'atlas-chaos-'));
  made.push(d);
  return d;
}

/** A copy of the seeded demo store (seeded once per test file). */
export function seededDir(): string {
  if (!template) {
    template = mkdtempSync(join(tmpdir(), 'atlas-chaos-tpl-'));
    seedDemoStore(template, () => new Date(SESSION)).db.close();
  }
  const d = newDir();
  cpSync(template, d, { recursive: true });
  return d;
}

/** A copy of `src` (a prepared data dir) for one trial. */
export function copyDir(src: string): string {
  const d = newDir();
  cpSync(src, d, { recursive: true });
  return d;
}

/** The store's last closes of the technology names (the fake's prices, so P5 agrees). */
export function storeCloses(dir: string): Record<string, number> {
  const db = openDatabase(dir);
  try {
    const store = new BarStore(db, () => new Date(SESSION));
    const out: Record<string, number> = {};
    for (const s of [...BUILTIN_UNIVERSES.technology, 'SPY']) {
      const p = lastRawClose(store, s);
      if (p !== undefined) out[s] = p;
    }
    return out;
  } finally {
    db.close();
  }
}

// ---- brokers ----------------------------------------------------------------------------------

function paperOrders(dir: string, account = 'LARGE'): BrokerOrder[] {
  const db = openDatabase(dir);
  try {
    const rows = db.prepare('SELECT client_order_id, symbol, side, status, qty, filled_qty FROM paper_orders WHERE account = ? ORDER BY seq').all(account) as {
      client_order_id: string;
      symbol: string;
      side: string;
      status: string;
      qty: number;
      filled_qty: number;
    }[];
    return rows.map((r) => ({ clientOrderId: r.client_order_id, symbol: r.symbol, side: r.side, status: r.status, qty: r.qty, filledQty: r.filled_qty }));
  } finally {
    db.close();
  }
}

const WORKING = new Set(['new', 'accepted', 'partially_filled', 'pending_new', 'held', 'pending_review', 'accepted_for_bidding', 'done_for_day']);

function paperExposure(dir: string, account = 'LARGE'): Exposure {
  const db = openDatabase(dir);
  try {
    const store = new BarStore(db, () => new Date(SESSION));
    const price = (s: string) => lastRawClose(store, s) ?? 0;
    const cash = (db.prepare('SELECT cash FROM paper_accounts WHERE name = ?').get(account) as { cash: number } | undefined)?.cash ?? 0;
    const rows = db.prepare('SELECT symbol, qty FROM paper_positions WHERE account = ?').all(account) as { symbol: string; qty: number }[];
    const positions = Object.fromEntries(rows.map((r) => [r.symbol, r.qty]));
    const held = rows.reduce((s, r) => s + r.qty * price(r.symbol), 0);
    const working = paperOrders(dir, account)
      .filter((o) => WORKING.has(o.status) && o.side === 'buy')
      .reduce((s, o) => s + (o.qty - o.filledQty) * price(o.symbol), 0);
    const equity = cash + held;
    return { equity, exposure: held + working, pct: (held + working) / equity, positions };
  } finally {
    db.close();
  }
}

function fakeExposure(fake: FakeAlpaca): Exposure {
  const price = (s: string) => fake.state.prices.get(s) ?? 0;
  let held = 0;
  const positions: Record<string, number> = {};
  for (const [s, p] of fake.state.positions) {
    held += p.qty * price(s);
    positions[s] = p.qty;
  }
  const working = fake.state.orders.filter((o) => WORKING.has(o.status) && o.side === 'buy').reduce((s, o) => s + (o.qty - o.filled_qty) * (o.limit_price ?? price(o.symbol)), 0);
  const equity = fake.state.account.cash + held;
  return { equity, exposure: held + working, pct: (held + working) / equity, positions };
}

export function paperRig(dir: string = seededDir()): Rig {
  return {
    kind: 'paper',
    dir,
    env: { ATLAS_CLOCK: SESSION },
    orders: () => paperOrders(dir),
    exposure: () => paperExposure(dir),
    close: () => Promise.resolve(),
  };
}

export interface AlpacaRigOptions extends FakeAlpacaOptions {
  /** Positions the account starts with (symbol -> qty), valued at the store's closes. */
  holdings?: Record<string, number>;
}

/** The fake Alpaca on 127.0.0.1, priced at the store's closes, its clock at SESSION unless told. */
export async function alpacaRig(dir: string = seededDir(), opts: AlpacaRigOptions = {}): Promise<Rig> {
  const closes = storeCloses(dir);
  const { holdings, ...fakeOpts } = opts;
  const fake = await startFakeAlpaca({ keyId: KEY_ID, secretKey: SECRET, cash: 100_000, prices: closes, now: new Date(SESSION), rateLimitPerMinute: false, ...fakeOpts });
  for (const s of Object.keys(closes)) if (!fake.state.assets.has(s)) fake.addAsset({ symbol: s, exchange: 'NASDAQ' });
  for (const [s, q] of Object.entries(holdings ?? {})) fake.setPosition(s, q, closes[s]);
  return {
    kind: 'alpaca',
    dir,
    fake,
    env: { ATLAS_CLOCK: SESSION, ATLAS_ALPACA_TRADING_URL: fake.url, ATLAS_ALPACA_DATA_URL: fake.url, ALPACA_LARGE_KEY: KEY_ID, ALPACA_LARGE_SECRET: SECRET },
    orders: () => fake.state.orders.map((o) => ({ clientOrderId: o.client_order_id, symbol: o.symbol, side: o.side, status: o.status, qty: o.qty, filledQty: o.filled_qty })),
    exposure: () => fakeExposure(fake),
    close: () => fake.close(),
  };
}

// ---- the CLI ----------------------------------------------------------------------------------

export function rebalanceArgs(rig: Rig, extra: string[] = []): string[] {
  return ['--data-dir', rig.dir, 'rebalance', '--universe', 'technology', '--broker', rig.kind, '--yes', '--json', '--fill-timeout', '5', ...extra];
}

export interface RunOutcome extends CliResult {
  outcome?: string;
  runId?: string;
}

export async function atlas(rig: Rig, args: string[], env: Record<string, string> = {}): Promise<RunOutcome> {
  const r = await runAtlas(args, { env: { ...rig.env, ...env } });
  const out: RunOutcome = { ...r };
  if (r.code === 0 && r.stdout.trimStart().startsWith('{')) {
    try {
      const j = JSON.parse(r.stdout) as { outcome?: string; runId?: string };
      out.outcome = j.outcome;
      out.runId = j.runId;
    } catch {
      // not a result: leave outcome undefined
    }
  }
  return out;
}

/** The chaos points of one uninterrupted run, from ATLAS_CHAOS_TRACE=1 (index = N - 1). */
export function tracePoints(stderr: string): { n: number; kind: string; where: string }[] {
  const out: { n: number; kind: string; where: string }[] = [];
  for (const m of stderr.matchAll(/^chaos-point (\d+) (\w+) (.*)$/gm)) out.push({ n: Number(m[1]), kind: m[2], where: m[3] });
  return out;
}

// ---- the checks -------------------------------------------------------------------------------

const CID = /^atlas-(\d{8}-[0-9a-f]{8})(?:-\d+)?-(.+)-(buy|sell)$/;

/** Client order ids held twice, and run/symbol/leg triples with more than one order. */
export function duplicateOrders(orders: readonly BrokerOrder[]): string[] {
  const byCid = new Map<string, number>();
  const byLeg = new Map<string, number>();
  for (const o of orders) {
    byCid.set(o.clientOrderId, (byCid.get(o.clientOrderId) ?? 0) + 1);
    const m = CID.exec(o.clientOrderId);
    if (m) {
      const key = `${m[1]}/${m[2]}/${m[3]}`;
      byLeg.set(key, (byLeg.get(key) ?? 0) + 1);
    }
  }
  return [...[...byCid].filter(([, n]) => n > 1).map(([k, n]) => `client order id ${k} x${n}`), ...[...byLeg].filter(([, n]) => n > 1).map(([k, n]) => `run/symbol/leg ${k} x${n}`)];
}

/**
 * Order events in the run store (run_order_events) without their audit line: for every
 * (client order id, audit event) the audit trail must hold at least as many lines as the store
 * holds events that render one (a crash between the two may repeat a line, never lose one).
 */
export function lostAuditLines(dir: string): string[] {
  const db = openDatabase(dir);
  try {
    const runs = new RunStore(db, () => new Date(SESSION));
    const lost: string[] = [];
    for (const run of runs.list(1_000)) {
      const need = new Map<string, number>();
      for (const e of runs.events({ runId: run.runId })) {
        const line = eventToAudit(e.event);
        if (!line) continue;
        const key = `${line.clientOrderId ?? ''} ${line.event}`;
        need.set(key, (need.get(key) ?? 0) + 1);
      }
      const have = new Map<string, number>();
      for (const r of readExecutionLog(dir, { runId: run.runId })) {
        const key = `${r.clientOrderId ?? ''} ${r.event}`;
        have.set(key, (have.get(key) ?? 0) + 1);
      }
      for (const [key, n] of need) if ((have.get(key) ?? 0) < n) lost.push(`${run.runId} ${key}: ${n} stored event(s), ${have.get(key) ?? 0} audit line(s)`);
    }
    return lost;
  } finally {
    db.close();
  }
}

export async function logVerify(rig: Rig): Promise<CliResult> {
  return runAtlas(['--data-dir', rig.dir, 'log', 'verify'], { env: rig.env });
}

/** Runs `tasks` at most `width` at a time, in order of start. */
export async function pool<T>(width: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}
