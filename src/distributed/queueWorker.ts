/**
 * @module `atlas worker`: a BullMQ worker that runs sweep chunks on this machine's threads. Per job
 * it fetches (or finds in its cache) the sweep's spec and panel by content hash, prepares the
 * rankings once per sweep with the same function a local sweep uses (prepareSweep), and runs the
 * chunk's configurations through runJob on a sweep thread, so every result equals the local one.
 * A worker killed mid-job loses its lock; another worker's stalled-job check puts the job back.
 */
import { Worker, type Job } from 'bullmq';
import { AtlasError } from '../core/errors.js';
import { prepareSweep, sharePanel, type SharedPanel, type WorkerInit } from '../backtest/sweep.js';
import { toShared, type UniverseLike } from '../backtest/prepared.js';
import type { Panel } from '../data/panel.js';
import { BlobCache, type Fetcher } from './blobCache.js';
import { decodeJson, encodeJson } from './codec.js';
import { panelFromArrow, type PanelFile } from './panelArrow.js';
import { parsePayload, QUEUE_NAME, type ChunkResult, type SweepSpec } from './payload.js';
import { connectionOf, type RedisTarget } from './redisUrl.js';
import { SweepThreads } from './threadPool.js';
import { join } from 'node:path';

export interface QueueWorkerOptions {
  target: RedisTarget;
  /** Jobs at once, one thread each (default 1). */
  concurrency?: number;
  /** Keep fetched panels here across restarts (default: memory only). */
  cacheDir?: string;
  /** BullMQ lock settings; tests shorten them so a killed worker's job comes back quickly. */
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
  log?: (line: string) => void;
  fetch?: Fetcher;
}

export interface QueueWorker {
  /** Finishes the jobs in progress, then stops taking jobs and ends the threads. */
  close(): Promise<void>;
}

/** A universe whose membership is the published mask (1 = member on that date). */
function maskUniverse(file: PanelFile, spec: NonNullable<SweepSpec['universe']>): UniverseLike {
  const { panel, member } = file;
  const n = panel.dates.length;
  const sym = new Map(panel.symbols.map((s, i) => [s, i] as const));
  const day = new Map(panel.dates.map((d, i) => [d, i] as const));
  return {
    name: spec.name,
    symbols: spec.symbols,
    isMember: (s, d) => {
      if (!member) return true;
      const si = sym.get(s);
      const di = day.get(d);
      return si !== undefined && di !== undefined && member[si * n + di] === 1;
    },
  };
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const log = o.log ?? (() => {});
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const cacheOpts = { fetch: o.fetch, keep: 2 };
  const panels = new BlobCache<PanelFile>(panelFromArrow, { ...cacheOpts, ...(o.cacheDir ? { dir: join(o.cacheDir, 'panels') } : {}) });
  const specs = new BlobCache<SweepSpec>((b) => decodeJson<SweepSpec>(Buffer.from(b).toString('utf8')), { ...cacheOpts, keep: 4 });
  const shared = new WeakMap<Panel, SharedPanel>();
  const inits = new Map<string, Promise<WorkerInit>>();
  const threads = new SweepThreads(concurrency);

  const initFor = (specHash: string, spec: SweepSpec): Promise<WorkerInit> => {
    let p = inits.get(specHash);
    if (!p) {
      p = (async () => {
        const file = await panels.get(spec.panel.hash, spec.panel.url);
        const universe = spec.universe ? maskUniverse(file, spec.universe) : null;
        const prepared = prepareSweep(file.panel, spec.jobs, spec.fixed, universe);
        let sp = shared.get(file.panel);
        if (!sp) {
          sp = sharePanel(file.panel);
          shared.set(file.panel, sp);
        }
        return { panel: sp, prepared: toShared(prepared), regimes: spec.regimes, fixed: spec.fixed, returns: spec.returns };
      })();
      inits.set(specHash, p);
      p.catch(() => inits.delete(specHash));
      while (inits.size > 4) inits.delete(inits.keys().next().value!);
    }
    return p;
  };

  const processor = async (job: Job): Promise<string> => {
    const payload = parsePayload(job.data);
    log(`job ${job.id}: configurations ${payload.first + 1}..${payload.first + payload.count} started`);
    const spec = await specs.get(payload.spec.hash, payload.spec.url);
    if (payload.first + payload.count > spec.jobs.length) throw new AtlasError(`Job ${job.id} asks for configurations past the sweep's ${spec.jobs.length}.`, { code: 'BAD_JOB' });
    const init = await initFor(payload.spec.hash, spec);
    const results = await threads.run(init, payload.first, spec.jobs.slice(payload.first, payload.first + payload.count));
    log(`job ${job.id}: done`);
    const out: ChunkResult = { results };
    return encodeJson(out);
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: connectionOf(o.target),
    concurrency,
    ...(o.lockDuration !== undefined ? { lockDuration: o.lockDuration } : {}),
    ...(o.stalledInterval !== undefined ? { stalledInterval: o.stalledInterval } : {}),
    maxStalledCount: o.maxStalledCount ?? 3,
  });
  worker.on('error', (err) => log(`worker: ${err.message}`));
  worker.on('failed', (job, err) => log(`job ${job?.id ?? '?'}: failed: ${err.message}`));
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      await threads.close();
    },
  };
}
