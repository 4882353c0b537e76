/**
 * @module The queued-sweep figure: the 1,008-configuration sweep of backtestBench.ts through BullMQ
 * on a throwaway redis-server (127.0.0.1, a free port, no persistence) with 2 local `atlas worker`s
 * of one thread each, against the local sweep on 2 worker threads. Skipped when
 * /usr/bin/redis-server is not installed. The queued figure includes publishing the panel
 * (Arrow encoding, sha256, serving) and each worker's fetch and preparation.
 */
import { gridPoints, runSweep } from '../backtest/sweep.js';
import { openQueueCoordinator } from '../distributed/coordinator.js';
import { httpPublisher } from '../distributed/publisher.js';
import { startQueueWorker } from '../distributed/queueWorker.js';
import { parseRedisUrl } from '../distributed/redisUrl.js';
import { redisAvailable, REDIS_SKIP_REASON, startRedis } from '../distributed/throwawayRedis.js';
import { benchPanel, SWEEP_GRID } from './backtestBench.js';
import type { BenchResult } from './timing.js';

const NAME = 'queued sweep, 2 local workers vs local sweep';

export async function benchQueue(): Promise<BenchResult[]> {
  if (!redisAvailable) return [{ name: NAME, ms: NaN, detail: `skipped: ${REDIS_SKIP_REASON}` }];
  const redis = await startRedis();
  const target = parseRedisUrl(redis.url);
  try {
    const { panel, regimes } = benchPanel();
    const points = gridPoints(SWEEP_GRID);
    await runSweep(panel, regimes, points, {}, { workers: 2 }); // warm-up
    let t0 = performance.now();
    await runSweep(panel, regimes, points, {}, { workers: 2 });
    const local = (performance.now() - t0) / 1000;

    const publisher = await httpPublisher();
    const coordinator = await openQueueCoordinator({ target, publisher, pollMs: 500 });
    const workers = await Promise.all([startQueueWorker({ target }), startQueueWorker({ target })]);
    try {
      t0 = performance.now();
      await runSweep(panel, regimes, points, {}, { runner: coordinator.runner });
      const cold = (performance.now() - t0) / 1000;
      // Warm: the workers hold the panel; a new sweep on it still publishes its spec and prepares.
      t0 = performance.now();
      await runSweep(panel, regimes, points, {}, { runner: coordinator.runner });
      const warm = (performance.now() - t0) / 1000;
      return [
        { name: NAME, ms: warm * 1000, detail: `${(points.length / warm).toFixed(0)} configurations/s queued (panel cached) vs ${(points.length / local).toFixed(0)}/s local on 2 threads (${(local * 1000).toFixed(0)} ms); first queued run with publishing and fetch ${(cold * 1000).toFixed(0)} ms` },
      ];
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await coordinator.close();
      await publisher.close();
    }
  } finally {
    await redis.stop();
  }
}
