/**
 * @module A sweep worker thread: its first message is the shared panel and preparation (no copy);
 * every later one a chunk of jobs, run without records, answered with their metrics (and daily
 * returns on request).
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

parentPort!.on('message', (msg: { init?: WorkerInit; first?: number; jobs?: SweepJob[] }) => {
  if (msg.init) {
    setUp(msg.init);
    return;
  }
  const { init, panel, prepared, fills } = state!;
  const results: JobResult[] = [];
  const transfer: ArrayBuffer[] = [];
  let i = msg.first!;
  try {
    for (const job of msg.jobs!) {
      const out = runJob(panel, prepared, init.regimes, init.fixed, job, i, init.returns, fills);
      if (out.returns) transfer.push(out.returns.buffer as ArrayBuffer);
      results.push(out);
      i++;
    }
    parentPort!.postMessage({ results }, transfer);
  } catch (err) {
    parentPort!.postMessage({ i, error: err instanceof Error ? err.message : String(err) });
  }
});
