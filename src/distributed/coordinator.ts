/**
 * @module The coordinator side of a queued sweep: a JobRunner (src/backtest/sweep.ts) that publishes
 * the panel once by content hash, publishes the sweep's spec, enqueues chunks of configuration
 * indices as BullMQ jobs, and gathers the results into an array keyed by configuration index. A
 * job retried after a worker died can complete at most once more; a configuration already filled
 * is never counted again, so progress and results count each configuration exactly once.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import { systemClock, type Clock } from '../core/clock.js';
import { AtlasError } from '../core/errors.js';
import type { Panel } from '../data/panel.js';
import type { UniverseLike } from '../backtest/prepared.js';
import type { JobResult, JobRunner, RunnerRequest } from '../backtest/sweep.js';
import { decodeJson, encodeJson } from './codec.js';
import { contentHash } from './contentHash.js';
import { panelToArrow } from './panelArrow.js';
import { PAYLOAD_VERSION, QUEUE_NAME, type BlobRef, type ChunkPayload, type ChunkResult, type SweepSpec } from './payload.js';
import type { Publisher } from './publisher.js';
import { checkRedis, connectionOf, type RedisTarget } from './redisUrl.js';

export interface CoordinatorOptions {
  target: RedisTarget;
  publisher: Publisher;
  /** Configurations per job (default: about 32 jobs per sweep, 1 to 16 configurations each). */
  chunkSize?: number;
  /** How often to look up jobs whose completion event was missed. */
  pollMs?: number;
  /** Printed once when nothing is done after a while and no worker is connected. */
  onNote?: (line: string) => void;
  clock?: Clock;
}

export interface QueueCoordinator {
  runner: JobRunner;
  close(): Promise<void>;
}

/** 1 where the universe counts the symbol on the date (the panel file's `member` column). */
export function membershipMask(panel: Panel, universe: UniverseLike): Uint8Array {
  const n = panel.dates.length;
  const mask = new Uint8Array(n * panel.symbols.length);
  const inUniverse = new Set(universe.symbols);
  panel.symbols.forEach((s, si) => {
    if (!inUniverse.has(s)) return;
    for (let d = 0; d < n; d++) if (universe.isMember(s, panel.dates[d])) mask[si * n + d] = 1;
  });
  return mask;
}

export function chunkSizeFor(total: number): number {
  return Math.max(1, Math.min(16, Math.ceil(total / 32)));
}

export async function openQueueCoordinator(o: CoordinatorOptions): Promise<QueueCoordinator> {
  await checkRedis(o.target);
  const clock = o.clock ?? systemClock;
  const connection = connectionOf(o.target);
  const queue = new Queue(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  queue.on('error', () => {});
  events.on('error', () => {});
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  // The same panel (and universe) is published once per coordinator: a walk-forward asks several times.
  const published = new WeakMap<Panel, Map<UniverseLike | null, BlobRef>>();
  // Job id -> handler, for the completion events of the sweeps in flight.
  const listeners = new Map<string, { done: (value: string) => void; failed: (reason: string) => void }>();
  events.on('completed', ({ jobId, returnvalue }) => listeners.get(jobId)?.done(String(returnvalue)));
  events.on('failed', ({ jobId, failedReason }) => listeners.get(jobId)?.failed(failedReason));

  const publish = async (bytes: Uint8Array): Promise<BlobRef> => {
    const hash = contentHash(bytes);
    return { hash, url: await o.publisher.publish(hash, bytes) };
  };

  const publishPanel = async (panel: Panel, universe: UniverseLike | null): Promise<BlobRef> => {
    let byUniverse = published.get(panel);
    if (!byUniverse) published.set(panel, (byUniverse = new Map()));
    let ref = byUniverse.get(universe);
    if (!ref) {
      ref = await publish(panelToArrow(panel, universe ? membershipMask(panel, universe) : null));
      byUniverse.set(universe, ref);
    }
    return ref;
  };

  const runner: JobRunner = async (req: RunnerRequest): Promise<JobResult[]> => {
    const total = req.jobs.length;
    if (total === 0) return [];
    const spec: SweepSpec = {
      v: PAYLOAD_VERSION,
      panel: await publishPanel(req.panel, req.universe),
      universe: req.universe ? { name: req.universe.name ?? 'custom', symbols: [...req.universe.symbols] } : null,
      regimes: req.regimes, fixed: req.fixed, jobs: [...req.jobs], returns: req.returns,
    };
    const specRef = await publish(Buffer.from(encodeJson(spec), 'utf8'));
    const sweep = randomUUID();
    const size = o.chunkSize ?? chunkSizeFor(total);
    const chunks: { id: string; first: number; count: number }[] = [];
    for (let first = 0, k = 0; first < total; first += size, k++) chunks.push({ id: `${sweep}-${k}`, first, count: Math.min(size, total - first) });

    const results: JobResult[] = new Array(total);
    const pending = new Map(chunks.map((c) => [c.id, c] as const));
    let done = 0;
    let failure: Error | null = null;
    let wake: () => void = () => {};
    const accept = (id: string, value: string) => {
      const chunk = pending.get(id);
      if (!chunk) return;
      let out: ChunkResult;
      try {
        out = decodeJson<ChunkResult>(value);
      } catch {
        failure = new AtlasError(`A worker sent back an unreadable result for job ${id}; coordinator and workers must run the same Atlas version.`, { code: 'BAD_RESULT' });
        wake();
        return;
      }
      pending.delete(id);
      for (const r of out.results) {
        if (r.i < chunk.first || r.i >= chunk.first + chunk.count || results[r.i] !== undefined) continue;
        results[r.i] = r;
        done++;
      }
      req.onProgress?.(done, total);
      wake();
    };
    const fail = (id: string, reason: string) => {
      if (!pending.has(id)) return;
      failure = new AtlasError(`A sweep job failed on a worker: ${reason}`, { code: 'SWEEP_FAILED' });
      wake();
    };
    for (const c of chunks) {
      listeners.set(c.id, {
        done: (v) => accept(c.id, v),
        // A failed attempt with attempts left is retried; only a final failure fails the sweep.
        failed: (reason) => void Job.fromId(queue, c.id).then(async (job) => { if (job && (await job.getState()) === 'failed') fail(c.id, reason); }, () => {}),
      });
    }
    try {
      await queue.addBulk(chunks.map((c): { name: string; data: ChunkPayload; opts: object } => ({
        name: 'chunk',
        data: { v: PAYLOAD_VERSION, sweep, spec: specRef, first: c.first, count: c.count },
        opts: { jobId: c.id, attempts: 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86_400 } },
      })));
      const started = clock.now().getTime();
      let noted = false;
      while (done < total && failure === null) {
        await Promise.race([clock.sleep(o.pollMs ?? 2000), new Promise<void>((ok) => (wake = ok))]);
        if (done >= total || failure) break;
        // Completion events are not stored: look up the jobs still outstanding in case one was missed.
        for (const id of [...pending.keys()]) {
          const job = await Job.fromId(queue, id);
          if (!job) continue;
          if (job.finishedOn && typeof job.returnvalue === 'string') accept(id, job.returnvalue);
          else if (job.failedReason && (await job.getState()) === 'failed') fail(id, job.failedReason);
        }
        if (!noted && done === 0 && clock.now().getTime() - started > 10_000 && (await queue.getWorkersCount()) === 0) {
          noted = true;
          o.onNote?.(`Waiting for workers: none is connected to ${o.target.display}; start \`atlas worker --queue ${o.target.display}\` on each machine.`);
        }
      }
      if (failure) throw failure;
      return results;
    } finally {
      for (const c of chunks) listeners.delete(c.id);
      // Results are in hand (or the sweep failed): its jobs are no longer needed by anyone.
      await Promise.all(chunks.map((c) => queue.remove(c.id).catch(() => 0)));
    }
  };

  return {
    runner,
    close: async () => {
      await events.close();
      await queue.close();
    },
  };
}
