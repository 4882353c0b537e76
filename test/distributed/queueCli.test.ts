import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueueWorker, type QueueWorker } from '../../src/distributed/queueWorker.js';
import { parseRedisUrl } from '../../src/distributed/redisUrl.js';
import { atlasInProcess as atlas } from '../support/cliInProcess.js';
import { writeDemoStore } from '../backtest/demoStore.js';
import { redisAvailable, REDIS_SKIP_REASON, startRedis, type RedisServer } from './redisServer.js';

/** What a run's JSON says about its configurations (everything but the wall-clock time). */
const outcome = (stdout: string) => {
  const j = JSON.parse(stdout) as Record<string, unknown>;
  delete j.seconds;
  return j;
};

describe('--queue flags through the real command parser', () => {
  it('a URL that is not redis://HOST:PORT, or a Redis nobody answers on, is one sentence and exit 1', async () => {
    for (const [url, message] of [
      ['http://127.0.0.1:6379', /^atlas: --queue must be a redis:\/\/HOST:PORT URL, got the scheme "http"\.\n$/],
      ['not a url', /^atlas: --queue "not a url" is not a URL; use redis:\/\/HOST:PORT/],
      ['redis://127.0.0.1:1', /^atlas: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\); start redis-server there or fix --queue\.\n$/],
    ] as const) {
      const r = await atlas(['worker', '--queue', url]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe.skipIf(!redisAvailable)('atlas sweep and atlas walkforward --queue on a real redis-server', () => {
  let dir = '';
  let grid = '';
  let redis: RedisServer;
  let workers: QueueWorker[] = [];
  beforeAll(async () => {
    if (!redisAvailable) console.warn(REDIS_SKIP_REASON);
    dir = mkdtempSync(join(tmpdir(), 'atlas-queue-cli-'));
    writeDemoStore(dir);
    grid = join(dir, 'grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [5, 10], minDistance: [0.85, 0.95], rebalance: ['quarterly'], regimeMode: ['off', 'daily'] }));
    redis = await startRedis();
    const target = parseRedisUrl(redis.url);
    workers = await Promise.all([startQueueWorker({ target }), startQueueWorker({ target })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('atlas sweep --queue prints the local sweep\'s results, configuration by configuration', async () => {
    const args = ['--data-dir', dir, 'sweep', '--universe', 'technology', '--grid', grid, '--from', '2004-01-02', '--json'];
    const local = await atlas([...args, '--workers', '0']);
    const queued = await atlas([...args, '--queue', redis.url]);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/Queue redis:\/\/127\.0\.0\.1:\d+: the sweep's data is offered at http:\/\/127\.0\.0\.1:\d+/);
    expect(outcome(queued.stdout)).toEqual(outcome(local.stdout));
  }, 120_000);

  it('atlas walkforward --queue --publish-dir (a shared directory) gives the local report', async () => {
    const args = ['--data-dir', dir, 'walkforward', '--universe', 'technology', '--grid', grid, '--train', '3y', '--test', '1y', '--from', '2004-01-02', '--max-windows', '2', '--json'];
    const local = await atlas([...args, '--workers', '0']);
    const queued = await atlas([...args, '--queue', redis.url, '--publish-dir', join(dir, 'shared')]);
    expect(queued.code, queued.stderr).toBe(0);
    expect(outcome(queued.stdout)).toEqual(outcome(local.stdout));
  }, 120_000);
});
