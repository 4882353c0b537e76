/**
 * @module A worker process's sweep threads: the same worker threads a local sweep uses
 * (src/backtest/sweepWorker.ts, same messages), kept alive across jobs. The computation runs off
 * the main thread so BullMQ can renew the job's lock while a chunk runs; a thread is sent a
 * sweep's shared data (fill prices and preparation, no copy) only when it switches sweeps.
 */
import type { Worker } from 'node:worker_threads';
import { AtlasError } from '../core/errors.js';
import type { JobResult, SweepJob, WorkerInit } from '../backtest/sweep.js';
import { spawnSweepThread } from '../backtest/sweepPool.js';

interface Slot {
  thread: Worker;
  /** The init (by identity) the thread holds. */
  init: WorkerInit | null;
  busy: boolean;
}

export class SweepThreads {
  private readonly slots: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];

  constructor(size: number) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({ thread: spawnSweepThread(), init: null, busy: false }));
  }

  /** Runs jobs first..first+jobs.length-1 of `init`'s sweep on a free thread. */
  async run(init: WorkerInit, first: number, jobs: readonly SweepJob[]): Promise<JobResult[]> {
    const slot = await this.acquire();
    try {
      return await this.runOn(slot, init, first, jobs);
    } finally {
      slot.busy = false;
      const next = this.waiting.shift();
      if (next) {
        slot.busy = true;
        next(slot);
      }
    }
  }

  private acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((ok) => this.waiting.push(ok));
  }

  private runOn(slot: Slot, init: WorkerInit, first: number, jobs: readonly SweepJob[]): Promise<JobResult[]> {
    return new Promise((resolve, reject) => {
      const t = slot.thread;
      const cleanup = () => {
        t.off('message', onMessage);
        t.off('error', onError);
      };
      const onMessage = (msg: { results?: JobResult[]; error?: string; i?: number }) => {
        cleanup();
        if (msg.error !== undefined) reject(new AtlasError(`Sweep configuration ${(msg.i ?? 0) + 1} failed: ${msg.error}`, { code: 'SWEEP_FAILED' }));
        else resolve(msg.results!);
      };
      const onError = (err: Error) => {
        cleanup();
        // The thread is gone: a fresh one takes its place for the next job.
        slot.thread = spawnSweepThread();
        slot.init = null;
        reject(err);
      };
      t.on('message', onMessage);
      t.on('error', onError);
      if (slot.init !== init) {
        t.postMessage({ init });
        slot.init = init;
      }
      t.postMessage({ first, jobs });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }
}
