/**
 * @module The queued-sweep figure: the 1,008-configuration sweep of backtestBench.ts through BullMQ
 * on a throwaway redis-server (127.0.0.1, a free port, no persistence) with 2 local `atlas worker`s
 * of one thread each, against the local sweep on 2 worker threads. Skipped when
 * /usr/bin/redis-server is not installed. The queued figure includes publishing the panel
 * (Arrow encoding, sha256, serving) and each worker's fetch and preparation.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { gridPoints, runSweep } from '../backtest/sweep.js';
import { openQueueCoordinator } from '../distributed/coordinator.js';
import { httpPublisher } from '../distributed/publisher.js';
import { startQueueWorker } from '../distributed/queueWorker.js';
import { checkRedis, parseRedisUrl } from '../distributed/redisUrl.js';
import { benchPanel, SWEEP_GRID } from './backtestBench.js';
import type { BenchResult } from './timing.js';

const REDIS_BIN = '/usr/bin/redis-server';
const NAME = 'queued sweep, 2 local workers vs local sweep';

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export async function benchQueue(): Promise<BenchResult[]> {
  if (!existsSync(REDIS_BIN)) return [{ name: NAME, ms: NaN, detail: `skipped: ${REDIS_BIN} is not installed` }];
  const port = await freePort();
  const redis = spawn(REDIS_BIN, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' });
  const target = parseRedisUrl(`redis://127.0.0.1:${port}`);
  try {
    for (let i = 0; ; i++) {
      try {
        await checkRedis(target, 500);
        break;
      } catch (err) {
        if (i >= 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
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
    redis.kill('SIGTERM');
  }
}
