/**
 * Crash safety of `atlas replay` (issue 10's acceptance): the real CLI replays two months of demo
 * sessions; a second replay of the same thing is killed with SIGKILL at 25 seeded random chaos
 * points (audit lines, store transactions), restarted after each kill, and finally run to the end.
 * It must end in the uninterrupted replay's state: the same orders at the paper broker (none
 * twice), exactly one snapshot per session with the same equity, and `atlas log verify` passing.
 * Needs dist/ (npm run build).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionsBetween } from '../../src/calendar/nyse.js';
import { mulberry32 } from '../../src/core/random.js';
import { openDatabase } from '../../src/data/store/database.js';
import { SnapshotStore } from '../../src/operations/snapshots/snapshotStore.js';
import { runAtlas, type CliResult } from '../support/cli.js';
import { demoSource, writeReplayStrategy } from '../operations/replayHelpers.js';
import { duplicateOrders, tracePoints, type BrokerOrder } from './harness.js';
import { addCounts } from './summary.js';

const FROM = '2008-01-02';
const TO = '2008-02-29';
const KILLS = 25;
const SEED = 20_080_102;

const root = mkdtempSync(join(tmpdir(), 'atlas-replay-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function replay(source: string, strategy: string, dir: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runAtlas(['--data-dir', source, 'replay', '--strategy', strategy, '--from', FROM, '--to', TO, '--replay-dir', dir, '--json'], { env });
}

interface ReplayState {
  orders: BrokerOrder[];
  snapshots: { session: string; equity: number; cash: number }[];
}

function stateOf(dir: string): ReplayState {
  const db = openDatabase(dir);
  try {
    const rows = db.prepare("SELECT client_order_id, symbol, side, status, qty, filled_qty FROM paper_orders WHERE account = 'REPLAY' ORDER BY client_order_id").all() as { client_order_id: string; symbol: string; side: string; status: string; qty: number; filled_qty: number }[];
    const orders = rows.map((r) => ({ clientOrderId: r.client_order_id, symbol: r.symbol, side: r.side, status: r.status, qty: r.qty, filledQty: r.filled_qty }));
    const snapshots = new SnapshotStore(db).between('paper', 'REPLAY', '0000-01-01', '9999-12-31').map((s) => ({ session: s.session, equity: s.equity, cash: s.cash }));
    return { orders, snapshots };
  } finally {
    db.close();
  }
}

describe('atlas replay killed with SIGKILL at 25 random points', () => {
  it('ends in the uninterrupted replay\'s state: no order twice, one snapshot per session, log verify passes', async () => {
    const source = demoSource(join(root, 'source'));
    const strategy = writeReplayStrategy(root);

    const base = await replay(source, strategy, join(root, 'baseline'), { ATLAS_CHAOS_TRACE: '1' });
    expect(base.code, base.stderr.slice(-2000)).toBe(0);
    const points = tracePoints(base.stderr).length;
    expect(points).toBeGreaterThan(KILLS * 4);
    const baseline = stateOf(join(root, 'baseline'));
    expect(baseline.orders.length).toBeGreaterThan(10);

    // Each restart counts its points from 1 and goes on where the last one died: kill points drawn
    // from [1, 1.6 x points / 25] spread the 25 kills over most of the replay.
    const rnd = mulberry32(SEED);
    const span = Math.max(2, Math.floor((1.6 * points) / KILLS));
    const dir = join(root, 'killed');
    const killedAt: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const at = 1 + Math.floor(rnd() * span);
      const r = await replay(source, strategy, dir, { ATLAS_CHAOS_KILL_AT: String(at) });
      expect(r.code, `restart ${i + 1} (kill at point ${at}) was not killed: exit ${r.code} ${r.stderr.slice(-500)}`).toBeNull();
      killedAt.push(at);
    }
    const last = await replay(source, strategy, dir);
    expect(last.code, last.stderr.slice(-2000)).toBe(0);
    console.log(`replay ${FROM}..${TO}: ${points} chaos points uninterrupted; killed ${KILLS} times at points ${killedAt.join(', ')} (span ${span})`);

    const after = stateOf(dir);
    expect(duplicateOrders(after.orders)).toEqual([]);
    expect(after.orders).toEqual(baseline.orders);
    expect(after.snapshots.map((s) => s.session)).toEqual(sessionsBetween(FROM, TO));
    expect(after.snapshots).toEqual(baseline.snapshots);
    const verify = await runAtlas(['--data-dir', dir, 'log', 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    addCounts({ scenarios: 1, trials: KILLS, duplicates: duplicateOrders(after.orders).length });
  });
});
