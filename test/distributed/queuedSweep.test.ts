import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridPoints, runSweepWithReturns, type SweepFixed } from '../../src/backtest/sweep.js';
import { syntheticPanel, syntheticRegimes } from '../../src/backtest/synthetic.js';
import { walkForward } from '../../src/backtest/walkforward.js';
import { openQueueCoordinator, type QueueCoordinator } from '../../src/distributed/coordinator.js';
import { httpPublisher, type Publisher } from '../../src/distributed/publisher.js';
import { startQueueWorker, type QueueWorker } from '../../src/distributed/queueWorker.js';
import { parseRedisUrl } from '../../src/distributed/redisUrl.js';
import { redisAvailable, REDIS_SKIP_REASON, startRedis, type RedisServer } from './redisServer.js';
import { expectSameData } from '../support/sameData.js';

const panel = syntheticPanel({ symbols: 14, sessions: 700, seed: 77, lateListingProb: 0.3, delistProb: 0.2, gapProb: 0.01, drift: 0.001, startDate: '2015-01-02' });
const regimes = syntheticRegimes(panel.dates, 78, 30, 0.9);
const points = gridPoints({ topN: [2, 4], minDistance: [0.8, 0.95], rebalance: ['quarterly', 'monthly'], regimeMode: ['off', 'daily'] });
const fixed: SweepFixed = { lookback: 60, from: panel.dates[100], wholeShares: true, minNotional: 50 };

if (!redisAvailable) console.warn(REDIS_SKIP_REASON);

describe.skipIf(!redisAvailable)('queued sweep: coordinator and two in-process workers on a real redis-server', () => {
  let redis: RedisServer;
  let publisher: Publisher;
  let coordinator: QueueCoordinator;
  let workers: QueueWorker[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const target = parseRedisUrl(redis.url);
    publisher = await httpPublisher();
    coordinator = await openQueueCoordinator({ target, publisher, pollMs: 200 });
    workers = await Promise.all([startQueueWorker({ target }), startQueueWorker({ target })]);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await coordinator?.close();
    await publisher?.close();
    await redis?.stop();
  });

  it('gives every configuration the metrics and daily returns of the local sweep, each once', async () => {
    const local = await runSweepWithReturns(panel, regimes, points, fixed, { workers: 0 });
    const seen: number[] = [];
    const queued = await runSweepWithReturns(panel, regimes, points, fixed, { runner: coordinator.runner, onProgress: (d) => seen.push(d) });
    expectSameData(queued.results, local.results);
    expectSameData(queued.returns, local.returns);
    expect(seen.at(-1)).toBe(points.length);
    expect(seen.every((d, k) => k === 0 || d > seen[k - 1])).toBe(true);
  }, 60_000);

  it('with a point-in-time universe (its membership travels as the panel file\'s mask)', async () => {
    const mid = panel.dates[400];
    const isMember = (sym: string, date: string) => Number(sym.slice(1)) % 3 !== 0 || date >= mid;
    const local = await runSweepWithReturns(panel, regimes, points, fixed, { workers: 0, isMember });
    const queued = await runSweepWithReturns(panel, regimes, points, fixed, { runner: coordinator.runner, isMember });
    expect(queued.results).toEqual(local.results);
  }, 60_000);

  it('runs a walk-forward through the queue with the local report', async () => {
    const o = { trainMonths: 12, testMonths: 6, anchored: false, objective: 'sharpe' as const, maxWindows: 2 };
    const local = await walkForward(panel, regimes, points.slice(0, 4), fixed, o, { workers: 0 });
    const queued = await walkForward(panel, regimes, points.slice(0, 4), fixed, o, { runner: coordinator.runner });
    expectSameData(queued, local);
  }, 60_000);
});
