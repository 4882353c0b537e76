import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridPoints, runSweepWithReturns, type SweepFixed } from '../../src/backtest/sweep.js';
import { syntheticPanel, syntheticRegimes } from '../../src/backtest/synthetic.js';
import { openQueueCoordinator, type QueueCoordinator } from '../../src/distributed/coordinator.js';
import { httpPublisher, type Publisher } from '../../src/distributed/publisher.js';
import { parseRedisUrl } from '../../src/distributed/redisUrl.js';
import { ATLAS_BIN } from '../support/cli.js';
import { redisAvailable, REDIS_SKIP_REASON, startRedis, type RedisServer } from '../distributed/redisServer.js';

/**
 * Two real `atlas worker` processes (dist/) on a throwaway redis-server; one is SIGKILLed while it
 * holds a job. Its lock runs out (--lock-duration 1500 ms), the other worker's stalled-job check
 * puts the job back, and the gathered results equal a local sweep, each configuration once.
 */
const panel = syntheticPanel({ symbols: 60, sessions: 1600, seed: 4242, lateListingProb: 0.2, delistProb: 0.1, gapProb: 0.005, drift: 0.0008, startDate: '2010-01-04' });
const regimes = syntheticRegimes(panel.dates, 4243, 40, 0.9);
const points = gridPoints({ topN: [3, 5, 8], minDistance: [0.8, 0.9], rebalance: ['quarterly', 'monthly'], regimeMode: ['off', 'rebalance', 'daily'] });
const fixed: SweepFixed = { lookback: 120, wholeShares: true };

interface WorkerProc {
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
}

function startWorker(url: string): Promise<WorkerProc> {
  const child = spawn(process.execPath, [ATLAS_BIN, 'worker', '--queue', url, '--concurrency', '1', '--lock-duration', '1500', '--stalled-interval', '500'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return new Promise((ok, fail) => {
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        log.push(l);
        if (l.startsWith('Worker ready')) ok({ child, log, exited });
      }
    });
    void exited.then((code) => fail(new Error(`atlas worker exited (${code}) before it was ready: ${log.join(' | ')}`)));
  });
}

const untilLine = async (w: WorkerProc, test: (lines: string[]) => boolean) => {
  while (!test(w.log)) await new Promise((r) => setTimeout(r, 20));
};

describe.skipIf(!redisAvailable)('queued sweep on two `atlas worker` processes, one SIGKILLed mid-sweep', () => {
  let redis: RedisServer;
  let publisher: Publisher;
  let coordinator: QueueCoordinator;
  const workers: WorkerProc[] = [];

  beforeAll(async () => {
    if (!redisAvailable) console.warn(REDIS_SKIP_REASON);
    redis = await startRedis();
    publisher = await httpPublisher();
    coordinator = await openQueueCoordinator({ target: parseRedisUrl(redis.url), publisher, pollMs: 250, chunkSize: 2 });
    workers.push(...(await Promise.all([startWorker(redis.url), startWorker(redis.url)])));
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await coordinator?.close();
    await publisher?.close();
    await redis?.stop();
  });

  it('gathers results equal to the local sweep, each configuration once, and the survivor stops on SIGTERM with 0', async () => {
    const local = await runSweepWithReturns(panel, regimes, points, fixed, { workers: 0 });
    const [victim, survivor] = workers;
    const counts: number[] = [];
    const sweep = runSweepWithReturns(panel, regimes, points, fixed, { runner: coordinator.runner, onProgress: (d) => counts.push(d) });
    // Kill the victim while it holds a job (started, not done). Waiting for a second job could
    // wait forever on a loaded machine where the survivor takes the rest of the queue first.
    const holds = (l: string[]) => l.filter((x) => x.endsWith(' started')).length > l.filter((x) => x.endsWith(': done')).length;
    let finished = false;
    void sweep.then(() => (finished = true), () => (finished = true));
    await untilLine(victim, (l) => holds(l) || finished);
    if (!holds(victim.log)) throw new Error(`the sweep ended before the victim held a job: ${victim.log.join(' | ')}`);
    const held = victim.log.filter((x) => x.endsWith(' started')).at(-1)!.split(':')[0];
    victim.child.kill('SIGKILL');
    const queued = await sweep;

    expect(queued.results).toEqual(local.results);
    expect(queued.returns).toEqual(local.returns);
    // Progress counted each configuration once, ending at the grid's size.
    expect(counts.at(-1)).toBe(points.length);
    expect(counts.every((d, k) => k === 0 || d > counts[k - 1])).toBe(true);
    // The killed worker's job was run again, by the survivor.
    expect(survivor.log.some((x) => x.startsWith(`${held}:`) && x.endsWith(' started'))).toBe(true);
    expect(await victim.exited).toBe(null);

    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
  }, 180_000);
});
