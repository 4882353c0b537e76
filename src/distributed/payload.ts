/**
 * @module What travels through the queue. A sweep's spec (its jobs, shared settings, regimes and
 * universe) is published once like the panel, addressed by its hash; each BullMQ job then names
 * only the spec and a chunk of configuration indices [first, first + count), so a job is a few
 * hundred bytes whatever the grid. Results come back keyed by configuration index.
 */
import { AtlasError } from '../core/errors.js';
import type { JobResult, SweepFixed, SweepJob, SweepRegimes } from '../backtest/sweep.js';
import { HASH_PATTERN } from './contentHash.js';

/** The BullMQ queue every Atlas coordinator and worker uses. */
export const QUEUE_NAME = 'atlas-sweep';
export const PAYLOAD_VERSION = 1;

/** A published file: its content hash and where to fetch it. */
export interface BlobRef {
  hash: string;
  url: string;
}

/** Everything a worker needs besides the panel to run any configuration of one sweep. */
export interface SweepSpec {
  v: number;
  panel: BlobRef;
  /** The universe the ranking is prepared for; its membership is the panel file's `member` column. */
  universe: { name: string; symbols: string[] } | null;
  regimes: SweepRegimes;
  fixed: SweepFixed;
  jobs: SweepJob[];
  /** Send each configuration's daily returns back (for the deflated Sharpe ratio and PBO). */
  returns: boolean;
}

/** One BullMQ job: configurations first..first+count-1 of a spec. */
export interface ChunkPayload {
  v: number;
  sweep: string;
  spec: BlobRef;
  first: number;
  count: number;
}

/** A job's return value (encoded with codec.ts). */
export interface ChunkResult {
  results: JobResult[];
}

/** A job's data as a worker received it, checked before anything is fetched. */
export function parsePayload(data: unknown): ChunkPayload {
  const d = data as Partial<ChunkPayload> | null;
  const ok = typeof d === 'object' && d !== null && d.v === PAYLOAD_VERSION && typeof d.sweep === 'string'
    && typeof d.spec === 'object' && d.spec !== null && HASH_PATTERN.test(String(d.spec.hash)) && typeof d.spec.url === 'string'
    && Number.isInteger(d.first) && d.first! >= 0 && Number.isInteger(d.count) && d.count! >= 1;
  if (!ok) throw new AtlasError(`This job is not an Atlas sweep chunk of version ${PAYLOAD_VERSION}; coordinator and worker must run the same Atlas version.`, { code: 'BAD_JOB' });
  return d as ChunkPayload;
}
