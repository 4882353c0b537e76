/**
 * @module The daemon's lease on a data directory (issue 10): the same lease table with scope
 * 'daemon' and the directory as name, so one daemon per data directory, across processes.
 */
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { acquire, type AcquireResult } from './lease.js';

export const DATA_DIR_LEASE_SCOPE = 'daemon';

export function acquireDataDirLease(
  db: Database.Database,
  req: { dataDir: string; holderId: string; ttlMs: number; clock: Clock; pid?: number; host?: string; isAlive?: (pid: number) => boolean },
): AcquireResult {
  const dir = resolve(req.dataDir);
  return acquire(db, {
    key: { scope: DATA_DIR_LEASE_SCOPE, name: dir },
    holder: { runId: req.holderId, pid: req.pid ?? process.pid, host: req.host ?? hostname() },
    ttlMs: req.ttlMs,
    clock: req.clock,
    isAlive: req.isAlive,
    label: `data directory ${dir}`,
  });
}
