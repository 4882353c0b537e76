/**
 * @module The sweep worker threads of this process, kept between sweeps: a walk-forward runs one
 * sweep per window, and starting threads (a new isolate loading the engine's modules, then the
 * JIT warming up on the first configurations) would cost each of them again. An idle thread is
 * unref'd, so it never keeps the process alive, and has dropped the last sweep's shared data.
 */
import { Worker } from 'node:worker_threads';
import { threadImport } from '../core/threadModule.js';

const idle: Worker[] = [];

/** A new sweep thread running sweepWorker. */
export function spawnSweepThread(): Worker {
  return new Worker(`${threadImport(import.meta.url, 'sweepWorker')};`, { eval: true });
}

/** `n` threads for one sweep: idle ones first, new ones for the rest. */
export function takeSweepThreads(n: number): Worker[] {
  const out: Worker[] = [];
  while (out.length < n && idle.length > 0) out.push(idle.pop()!);
  while (out.length < n) {
    const w = spawnSweepThread();
    // A thread that dies while idle leaves the pool.
    w.once('exit', () => {
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
    });
    out.push(w);
  }
  for (const w of out) w.ref();
  return out;
}

/** Threads whose sweep finished normally: they drop its data and wait, unref'd, for the next. */
export function returnSweepThreads(threads: readonly Worker[]): void {
  for (const w of threads) {
    w.postMessage({ release: true });
    w.unref();
    idle.push(w);
  }
}

/** Threads in an unknown state (a job failed, a thread errored): ended, never reused. */
export async function discardSweepThreads(threads: readonly Worker[]): Promise<void> {
  await Promise.all(threads.map((w) => w.terminate()));
}

/** Ends the idle threads (tests; a process that wants its memory back). */
export async function closeSweepThreads(): Promise<void> {
  await discardSweepThreads(idle.splice(0));
}
