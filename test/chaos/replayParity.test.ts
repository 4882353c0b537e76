/**
 * Replay parity over two years of sessions (issue 10's acceptance), in `npm run chaos` because each
 * replay takes about a minute: the real daemon on a simulated clock and the embedded paper broker,
 * daily regime mode, whole shares, against the backtest of the same strategy file. The issue's aim
 * is every order the same (symbol, side, day, quantity within one share) and the final equity
 * within 0.1%; the bounds below are what is reached (printed each run): every order exact. The parity report must
 * give a reason for every day it lists and for every order that is not the same on both sides,
 * and no order may be left at "no single cause found". The wall time is printed.
 * test/operations/replay.test.ts runs two months of the same in `npm test`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionsBetween } from '../../src/calendar/nyse.js';
import { openDatabase } from '../../src/data/store/database.js';
import { verifyExecutionLog } from '../../src/execution/audit/verify.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { runReplay } from '../../src/operations/replay/replay.js';
import { REAL_DATA_SKIP_MESSAGE, realDataDir } from '../support/realData.js';
import { demoSource, PARITY_SETTINGS, parityLine, parityOf, realSource, writeReplayStrategy } from '../operations/replayHelpers.js';

const root = mkdtempSync(join(tmpdir(), 'atlas-replay-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function twoYears(name: string, source: string, from: string, to: string, bound: { orders: number; exact: number; equityGap: number }): Promise<void> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const strategy = writeReplayStrategy(dir, { name: `replay-${name}`, ...PARITY_SETTINGS });
  const t0 = performance.now();
  const result = await runReplay({ sourceDir: source, replayDir: join(dir, 'replay'), strategyFile: strategy, from, to });
  const seconds = (performance.now() - t0) / 1000;
  const [acct] = result.accounts;
  expect(result.stopped).toBe(false);
  expect(acct.snapshots).toBe(sessionsBetween(result.from, to).length);
  const db = openDatabase(join(dir, 'replay'));
  try {
    const runs = new RunStore(db);
    const unfilled = runs.list(100_000).flatMap((run) => runs.orders(run.runId).filter((o) => o.state !== 'filled' && o.state !== 'skipped').map((o) => `${run.tradeDate} ${o.side} ${o.qty} ${o.symbol}: ${o.state} (${o.reason ?? ''})`));
    console.log(`${name}: ${acct.filled} of ${acct.orders} orders filled${unfilled.length ? `; not filled:\n  ${unfilled.join('\n  ')}` : ''}`);
  } finally {
    db.close();
  }
  expect(verifyExecutionLog(join(dir, 'replay')).ok).toBe(true);
  const r = parityOf(join(dir, 'replay'), strategy);
  console.log(parityLine(`${name} ${from}..${to} (${acct.snapshots} sessions, ${result.jobs} jobs)`, r, seconds));
  for (const d of r.divergentDays) console.log(`  ${d.date}: account ${(d.liveReturn * 100).toFixed(4)}%, backtest ${(d.backtestReturn * 100).toFixed(4)}%: ${d.reasons.join('; ')}`);
  const off = r.orders.filter((o) => o.verdict !== 'same');
  for (const o of off) console.log(`  ${o.date} ${o.side} ${o.symbol}: account ${o.liveQty ?? '-'}, backtest ${o.backtestQty ?? '-'} (${o.verdict}): ${o.reason}`);
  expect(r.ordersTotal).toBeGreaterThan(50);
  // Issue 10 asks for every order within one share and 0.1% equity; what is reached (every order
  // exact, a gap under 0.001%) is guarded here and printed above, so a regression fails.
  const within = r.orders.filter((o) => o.verdict === 'same' || o.verdict === 'within one share').length;
  const exact = r.orders.filter((o) => o.verdict === 'same').length;
  console.log(`${name}: ${within}/${r.orders.length} orders within one share (bound ${bound.orders}), ${exact} exact (bound ${bound.exact}), final equity gap ${(Math.abs(r.finalEquityGap!) * 100).toFixed(5)}% (bound ${(bound.equityGap * 100).toFixed(3)}%)`);
  expect(within / r.orders.length).toBeGreaterThanOrEqual(bound.orders);
  expect(exact / r.orders.length).toBeGreaterThanOrEqual(bound.exact);
  expect(Math.abs(r.finalEquityGap!)).toBeLessThan(bound.equityGap);
  expect(r.divergentDays.every((d) => d.reasons.length > 0)).toBe(true);
  // Every order the two sides do not share has its reason, and each one is a known cause.
  expect(off.filter((o) => !o.reason || o.reason.includes('no single cause'))).toEqual([]);
}

describe('replay parity over two years (daily regime mode, whole shares)', () => {
  // Measured: demo 698/698 and real 600/600 orders the same share for share, final equity gap
  // 0.0000% on both, since the backtest keeps to gate 7's cap as live trading does
  // (docs/operations.md "Replay parity"). The bounds are what is reached.
  it('demo market 2007-2008: every order the same share for share, final equity within 0.001%', async () => {
    await twoYears('demo', demoSource(join(root, 'demo-source')), '2007-01-03', '2008-12-31', { orders: 1, exact: 1, equityGap: 1e-5 });
  });

  it.skipIf(!realDataDir())('real data 2019-2020 (ATLAS_REAL_DATA): every order the same share for share, final equity within 0.001%', async () => {
    await twoYears('real', realSource(join(root, 'real-source')), '2019-01-02', '2020-12-31', { orders: 1, exact: 1, equityGap: 1e-5 });
  });
  if (!realDataDir()) it.skip(REAL_DATA_SKIP_MESSAGE, () => {});
});
