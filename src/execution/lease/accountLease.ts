/**
 * @module The account lease: only one order-placing process per (broker, account) at a time.
 * A run takes it before its first order, keeps it alive with a heartbeat (heartbeat.ts) and
 * releases it at the end; a second run is refused with one sentence naming the holder. See
 * docs/rebalance.md, "Account lease".
 */
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import type { Clock } from '../../core/clock.js';
import { acquire, currentHolder, type AcquireResult, type LeaseRecord } from './lease.js';

/** A minute without a heartbeat and the lease is free for the next run. */
export const DEFAULT_ACCOUNT_LEASE_TTL_MS = 60_000;

export interface AccountLeaseRequest {
  broker: string;
  account: string;
  runId: string;
  /** Default: this process. */
  pid?: number;
  /** Default: os.hostname(). */
  host?: string;
  /** Default DEFAULT_ACCOUNT_LEASE_TTL_MS. */
  ttlMs?: number;
  clock: Clock;
  /** Liveness of a pid on this host (tests); default signal 0. */
  isAlive?: (pid: number) => boolean;
}

export function accountLeaseKey(broker: string, account: string): { scope: string; name: string } {
  return { scope: broker, name: account };
}

/**
 * Takes the account lease (BEGIN IMMEDIATE). Throws AtlasError LEASE_HELD while another live run
 * holds it; takes over a dead holder's lease and reports it in `takenOver.note` (write that to the
 * audit trail).
 */
export function acquireLease(db: Database.Database, req: AccountLeaseRequest): AcquireResult {
  return acquire(db, {
    key: accountLeaseKey(req.broker, req.account),
    holder: { runId: req.runId, pid: req.pid ?? process.pid, host: req.host ?? hostname() },
    ttlMs: req.ttlMs ?? DEFAULT_ACCOUNT_LEASE_TTL_MS,
    clock: req.clock,
    isAlive: req.isAlive,
    label: `account ${req.account} at ${req.broker}`,
  });
}

/** The account's lease row, if any. */
export function accountLeaseHolder(db: Database.Database, broker: string, account: string): LeaseRecord | undefined {
  return currentHolder(db, accountLeaseKey(broker, account));
}
