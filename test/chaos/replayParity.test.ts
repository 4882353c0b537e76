/**
 * Replay parity over two years of sessions (issue 10's acceptance), in `npm run chaos` because each
 * replay takes about a minute: the real daemon on a simulated clock and the embedded paper broker,
 * daily regime mode, whole shares, against the backtest of the same strategy file. The orders must
 * be the same (symbol, side, day, quantity within one share) and the final equity within 0.1%;
 * the parity report must give a reason for every day it lists. The wall time is printed.
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

async function twoYears(name: string, source: string, from: string, to: string): Promise<void> {
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
  expect(r.ordersTotal).toBeGreaterThan(50);
  expect(r.orders.filter((o) => o.verdict !== 'same' && o.verdict !== 'within one share')).toEqual([]);
  expect(Math.abs(r.finalEquityGap!)).toBeLessThan(0.001);
  expect(r.divergentDays.every((d) => d.reasons.length > 0)).toBe(true);
}

describe('replay parity over two years (daily regime mode, whole shares)', () => {
  it('demo market 2007-2008: same orders as the backtest, final equity within 0.1%', async () => {
    await twoYears('demo', demoSource(join(root, 'demo-source')), '2007-01-03', '2008-12-31');
  });

  it.skipIf(!realDataDir())('real data 2019-2020 (ATLAS_REAL_DATA): same orders as the backtest, final equity within 0.1%', async () => {
    await twoYears('real', realSource(join(root, 'real-source')), '2019-01-02', '2020-12-31');
  });
  if (!realDataDir()) it.skip(REAL_DATA_SKIP_MESSAGE, () => {});
});
