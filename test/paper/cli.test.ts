import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/data/store/database.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { PaperBroker } from '../../src/execution/brokers/paper/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { runAtlas } from '../support/cli.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';
import { AAA, BBB } from './helpers.js';

// The commands run in-process through the real command parser; the refusal without a terminal
// runs the real binary (bin/atlas.js -> dist/, built by npm test's pretest), where stdin is a pipe.
const tmp = useTempDirs();

/** A data dir with AAA/BBB bars (ending 2024-01-10) and a LARGE paper account holding 10 AAA and an open BBB limit. */
async function seeded(): Promise<string> {
  const dir = tmp();
  const db = openDatabase(dir);
  try {
    const bars = new BarStore(db);
    bars.replaceBars('AAA', 'test', AAA);
    bars.replaceBars('BBB', 'test', BBB);
    // During the session of the last bar (2024-01-10): the market order fills at that close.
    const b = new PaperBroker({ db, bars, account: 'LARGE', initialCash: 10_000, clock: new ManualClock('2024-01-10T15:00:00Z') });
    const o = await b.submitOrder({ symbol: 'AAA', side: 'buy', qty: 10, type: 'market', timeInForce: 'day', clientOrderId: 'seed-1' });
    expect((await b.waitForFill(o.id, { timeoutMs: 1000, pollMs: 1 })).status).toBe('filled');
    await b.submitOrder({ symbol: 'BBB', side: 'buy', qty: 5, type: 'limit', limitPrice: 40, timeInForce: 'gtc', clientOrderId: 'seed-2' });
  } finally {
    db.close();
  }
  return dir;
}

const FILL = 110 * 1.0005;

describe('atlas account / positions / orders / paper reset', () => {
  it('account shows cash, buying power, equity and status (table and JSON)', async () => {
    const dir = await seeded();
    const j = await atlasInProcess(['--data-dir', dir, 'account', '--json']);
    expect(j.stderr).toBe('');
    expect(j.code).toBe(0);
    const a = JSON.parse(j.stdout) as Record<string, unknown>;
    expect(a).toMatchObject({ broker: 'paper', account: 'LARGE', status: 'ACTIVE', initialCash: 10_000 });
    expect(a.cash as number).toBeCloseTo(10_000 - 10 * FILL, 6);
    expect(a.buyingPower as number).toBeCloseTo(10_000 - 10 * FILL - 5 * 40, 6);
    expect(a.equity as number).toBeCloseTo(10_000 - 10 * FILL + 10 * 110, 6);
    const t = await atlasInProcess(['--data-dir', dir, 'account']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/buying power/);
    expect(t.stdout).toMatch(/\$8,899\.45/);
    expect(t.stdout).toMatch(/ACTIVE/);
  });

  it('positions lists qty, prices, market value, weight and unrealised P&L', async () => {
    const dir = await seeded();
    const j = await atlasInProcess(['--data-dir', dir, 'positions', '--json']);
    expect(j.code).toBe(0);
    const r = JSON.parse(j.stdout) as { positions: Record<string, number | string>[]; equity: number };
    expect(r.positions).toHaveLength(1);
    const p = r.positions[0];
    expect(p).toMatchObject({ symbol: 'AAA', qty: 10, lastPrice: 110, marketValue: 1100 });
    expect(p.avgPrice as number).toBeCloseTo(FILL, 9);
    expect(p.unrealisedPnl as number).toBeCloseTo(10 * (110 - FILL), 9);
    expect(p.weight as number).toBeCloseTo(1100 / r.equity, 9);
    const t = await atlasInProcess(['--data-dir', dir, 'positions']);
    expect(t.stdout).toMatch(/symbol.*qty.*avg price.*last price.*market value.*weight.*unrealised P&L/);
    expect(t.stdout).toMatch(/AAA/);
    // Looking at an account never creates it (issue 9); once created it lists no positions.
    const missing = await atlasInProcess(['--data-dir', dir, 'positions', '--account', 'SMALL']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no paper account SMALL in this data directory \(accounts: LARGE\); create it with `atlas paper reset --account SMALL/);
    expect((await atlasInProcess(['--data-dir', dir, 'paper', 'reset', '--account', 'SMALL', '--cash', '1000', '--yes'])).code).toBe(0);
    const empty = await atlasInProcess(['--data-dir', dir, 'positions', '--account', 'SMALL']);
    expect(empty.stdout).toMatch(/No positions in paper account SMALL/);
  });

  it('orders lists open orders by default and all orders with --status all', async () => {
    const dir = await seeded();
    const open = JSON.parse((await atlasInProcess(['--data-dir', dir, 'orders', '--json'])).stdout) as { orders: { clientOrderId: string; status: string }[] };
    expect(open.orders.map((o) => o.clientOrderId)).toEqual(['seed-2']);
    const all = JSON.parse((await atlasInProcess(['--data-dir', dir, 'orders', '--status', 'all', '--json'])).stdout) as { orders: { clientOrderId: string; status: string }[] };
    expect(all.orders.map((o) => [o.clientOrderId, o.status])).toEqual([['seed-2', 'new'], ['seed-1', 'filled']]);
    const one = JSON.parse((await atlasInProcess(['--data-dir', dir, 'orders', '--status', 'all', '--limit', '1', '--json'])).stdout) as { orders: unknown[] };
    expect(one.orders).toHaveLength(1);
    const t = await atlasInProcess(['--data-dir', dir, 'orders', '--status', 'all']);
    expect(t.stdout).toMatch(/seed-1/);
    expect(t.stdout).toMatch(/limit 40\.00/);
    const bad = await atlasInProcess(['--data-dir', dir, 'orders', '--limit', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--limit/);
  });

  it('paper reset refuses without --yes when not a terminal, and resets with it', async () => {
    const dir = await seeded();
    const refused = await runAtlas(['--data-dir', dir, 'paper', 'reset', '--cash', '50000']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    const still = JSON.parse((await atlasInProcess(['--data-dir', dir, 'positions', '--json'])).stdout) as { positions: unknown[] };
    expect(still.positions).toHaveLength(1);
    const ok = await atlasInProcess(['--data-dir', dir, 'paper', 'reset', '--cash', '50000', '--yes']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/reset to \$50,000\.00/);
    expect(ok.stdout).toMatch(/1 open order\(s\) canceled \(buy 5 BBB\)/);
    const a = JSON.parse((await atlasInProcess(['--data-dir', dir, 'account', '--json'])).stdout) as Record<string, number>;
    expect(a).toMatchObject({ cash: 50_000, equity: 50_000, buyingPower: 50_000 });
    const orders = JSON.parse((await atlasInProcess(['--data-dir', dir, 'orders', '--status', 'all', '--json'])).stdout) as { orders: { clientOrderId: string; status: string }[] };
    expect(orders.orders.map((o) => [o.clientOrderId, o.status])).toEqual([['seed-2', 'canceled'], ['seed-1', 'filled']]);
    const open = JSON.parse((await atlasInProcess(['--data-dir', dir, 'orders', '--json'])).stdout) as { orders: unknown[] };
    expect(open.orders).toEqual([]);
    const bad = await atlasInProcess(['--data-dir', dir, 'paper', 'reset', '--cash', 'lots', '--yes']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--cash/);
  });

  it('paper drills are stored with the account and apply to later orders', async () => {
    const dir = await seeded();
    const set = await atlasInProcess(['--data-dir', dir, 'paper', 'drills', '--reject-symbols', 'bbb', '--partial', '0.5', '--json']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ account: 'LARGE', drills: { partialFillFraction: 0.5, rejectSymbols: ['BBB'] } });
    const shown = await atlasInProcess(['--data-dir', dir, 'paper', 'drills']);
    expect(shown.stdout).toMatch(/reject symbols\W+BBB/);
    const db = openDatabase(dir);
    try {
      const b = new PaperBroker({ db, bars: new BarStore(db), account: 'LARGE', clock: new ManualClock('2024-01-10T15:00:00Z') });
      await expect(b.submitOrder({ symbol: 'BBB', side: 'buy', qty: 1, type: 'market', timeInForce: 'day', clientOrderId: 'd-1' })).rejects.toMatchObject({ code: 'ORDER_REJECTED' });
    } finally {
      db.close();
    }
    const bad = await atlasInProcess(['--data-dir', dir, 'paper', 'drills', '--partial', '2']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/partialFillFraction/);
    const cleared = await atlasInProcess(['--data-dir', dir, 'paper', 'drills', '--clear', '--json']);
    expect(JSON.parse(cleared.stdout)).toEqual({ account: 'LARGE', drills: {} });
  });

  it('--broker alpaca without keys names the missing variables', async () => {
    const dir = tmp();
    const r = await atlasInProcess(['--data-dir', dir, 'account', '--broker', 'alpaca', '--account', 'MID'], {
      env: { ALPACA_MID_KEY: undefined, ALPACA_MID_SECRET: undefined, APCA_API_KEY_ID: undefined, APCA_API_SECRET_KEY: undefined },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ALPACA_MID_KEY/);
  });

  it('every command has --help with examples', async () => {
    for (const args of [['account'], ['positions'], ['orders'], ['paper', 'reset'], ['paper', 'drills']]) {
      const h = await atlasInProcess([...args, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Examples?:/);
      expect(h.stdout).toMatch(new RegExp(`\\$ atlas ${args.join(' ')}`));
    }
  });
});
