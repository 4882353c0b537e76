/**
 * @module A sweep worker thread: a sweep's first message is the shared panel and preparation (no
 * copy); every later one a chunk of jobs, run without records, answered with their metrics (and
 * daily returns on request); `release` drops the sweep's data when the thread goes back to the
 * pool (sweepPool.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { Panel } from '../data/panel.js';
import { fromShared, type PreparedPanel } from './prepared.js';
import type { FillPrices } from './engine.js';
import { runJob, type JobResult, type SweepJob, type WorkerInit } from './sweep.js';

let state: { init: WorkerInit; panel: Panel; prepared: PreparedPanel; fills: FillPrices } | null = null;

function setUp(init: WorkerInit): void {
  // The runs read prices through the fill prices and the preparation's marks only: no raw columns here.
  const empty = new Float64Array(0);
  const panel: Panel = { dates: init.panel.dates, symbols: init.panel.symbols, dayNumbers: init.panel.dayNumbers, open: empty, close: empty, adjClose: empty, high: empty, low: empty, volume: empty };
  // The membership was applied when the parent ranked the candidates; this object only names it.
  const universe = init.prepared.universeName === null ? null : { name: init.prepared.universeName, symbols: [], isMember: () => false };
  state = { init, panel, prepared: fromShared(panel, init.prepared, universe), fills: { panel, ...init.panel.fills } };
}

parentPort!.on('message', (msg: { init?: WorkerInit; release?: true; ids?: number[]; first?: number; jobs?: SweepJob[] }) => {
  if (msg.init) {
    setUp(msg.init);
    return;
  }
  if (msg.release) {
    // Back in the pool (sweepPool.ts): the last sweep's shared data can go.
    state = null;
    return;
  }
  const { init, panel, prepared, fills } = state!;
  const results: JobResult[] = [];
  const transfer: ArrayBuffer[] = [];
  const jobs = msg.jobs!;
  // A local sweep names each job's index (its chunks follow a cost order); a queued one sends a run of them.
  const index = (j: number) => (msg.ids ? msg.ids[j] : msg.first! + j);
  let j = 0;
  try {
    for (; j < jobs.length; j++) {
      const out = runJob(panel, prepared, init.regimes, init.fixed, jobs[j], index(j), init.returns, fills);
      if (out.returns) transfer.push(out.returns.buffer as ArrayBuffer);
      results.push(out);
    }
    parentPort!.postMessage({ results }, transfer);
  } catch (err) {
    parentPort!.postMessage({ i: index(j), error: err instanceof Error ? err.message : String(err) });
  }
});
