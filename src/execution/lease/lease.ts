/**
 * @module Exclusive leases in the store: at most one holder per key across processes. A lease
 * row (table account_leases, migration 6) names its holder (run id, pid, host) and expires unless
 * renewed; it is taken in a BEGIN IMMEDIATE transaction, so two processes racing for it are
 * serialised by SQLite and exactly one wins. A lease whose holder is dead (its pid gone on this
 * host, or its heartbeat expired) is taken over, and the result says so for the audit trail.
 *
 * The key is generic: (scope, name) is stored in the (broker, account) columns. The account
 * lease (accountLease.ts) uses (broker name, account id); the daemon's per-data-directory lease
 * uses its own scope (dataDirLease.ts).
 */
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock.js';
import { chaosPoint } from '../../core/chaos.js';
import { AtlasError } from '../../core/errors.js';
import { isProcessAlive } from './processAlive.js';
import { prepared } from '../../data/store/statements.js';

export interface LeaseKey {
  /** Stored in the `broker` column: the broker name, or another scope such as 'daemon'. */
  scope: string;
  /** Stored in the `account` column: the account id, or e.g. the data directory. */
  name: string;
}

export interface LeaseHolder {
  runId: string;
  pid: number;
  host: string;
}

export interface LeaseRecord extends LeaseHolder {
  key: LeaseKey;
  acquiredAt: Date;
  heartbeatAt: Date;
  expiresAt: Date;
}

export interface LeaseOptions {
  key: LeaseKey;
  holder: LeaseHolder;
  /** How long the lease lives without a renewal. */
  ttlMs: number;
  clock: Clock;
  /** Liveness of a pid on this host (default: signal 0). */
  isAlive?: (pid: number) => boolean;
  /** What the key is, for sentences, e.g. "account PA1 at alpaca" (default "lease scope/name"). */
  label?: string;
}

export type TakeOverReason = 'holder process gone' | 'heartbeat expired';

export interface TakeOver {
  previous: LeaseRecord;
  why: TakeOverReason;
  /** One sentence for the audit trail. */
  note: string;
}

export interface AcquireResult {
  lease: Lease;
  /** Set when a dead holder's lease was taken over. */
  takenOver?: TakeOver;
  /** The same holder (run id, pid, host) already held it: renewed instead. */
  reentered: boolean;
}

interface LeaseRow {
  broker: string;
  account: string;
  holder_run_id: string;
  pid: number;
  host: string;
  acquired_at: string;
  heartbeat_at: string;
  expires_at: string;
}

/** "2026-11-24 10:00:01 ET": lease times in sentences. */
export function formatLeaseTime(d: Date): string {
  return DateTime.fromJSDate(d, { zone: 'America/New_York' }).toFormat("yyyy-MM-dd HH:mm:ss 'ET'");
}

function recordOf(row: LeaseRow): LeaseRecord {
  return {
    key: { scope: row.broker, name: row.account },
    runId: row.holder_run_id,
    pid: row.pid,
    host: row.host,
    acquiredAt: new Date(row.acquired_at),
    heartbeatAt: new Date(row.heartbeat_at),
    expiresAt: new Date(row.expires_at),
  };
}

function sameHolder(a: LeaseHolder, b: LeaseHolder): boolean {
  return a.runId === b.runId && a.pid === b.pid && a.host === b.host;
}

function labelOf(opts: Pick<LeaseOptions, 'key' | 'label'>): string {
  return opts.label ?? `lease ${opts.key.scope}/${opts.key.name}`;
}

function holderText(r: LeaseHolder): string {
  return `run ${r.runId} (pid ${r.pid} on ${r.host})`;
}

function readRow(db: Database.Database, key: LeaseKey): LeaseRow | undefined {
  return prepared(db, 'SELECT * FROM account_leases WHERE broker = ? AND account = ?').get(key.scope, key.name) as LeaseRow | undefined;
}

function validate(opts: LeaseOptions): void {
  if (!(Number.isFinite(opts.ttlMs) && opts.ttlMs > 0)) {
    throw new AtlasError(`A lease needs a positive time to live, got ${opts.ttlMs} ms; pass ttlMs such as 60000.`, { code: 'BAD_LEASE_INPUT' });
  }
  if (opts.key.scope === '' || opts.key.name === '' || opts.holder.runId === '' || opts.holder.host === '') {
    throw new AtlasError('A lease needs a scope, a name, a run id and a host; none may be empty.', { code: 'BAD_LEASE_INPUT' });
  }
}

/** Why the holder of `row` is dead, or undefined when it may still be alive. */
function deadBecause(row: LeaseRecord, now: Date, thisHost: string, isAlive: (pid: number) => boolean): TakeOverReason | undefined {
  if (row.host === thisHost && !isAlive(row.pid)) return 'holder process gone';
  if (row.expiresAt.getTime() <= now.getTime()) return 'heartbeat expired';
  return undefined;
}

/**
 * Takes the lease for `holder` in one BEGIN IMMEDIATE transaction: free -> taken; held by the same
 * holder -> renewed; held by a dead holder -> taken over (see `takenOver`); held by a live one ->
 * AtlasError LEASE_HELD naming the holder and since when.
 */
export function acquire(db: Database.Database, opts: LeaseOptions): AcquireResult {
  validate(opts);
  const isAlive = opts.isAlive ?? isProcessAlive;
  const { key, holder } = opts;
  const taken = db
    .transaction((): AcquireResult => {
      const now = opts.clock.now();
      const expires = new Date(now.getTime() + opts.ttlMs);
      const row = readRow(db, key);
      const write = (acquiredAt: Date) =>
        prepared(db,
            `INSERT INTO account_leases (broker, account, holder_run_id, pid, host, acquired_at, heartbeat_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (broker, account) DO UPDATE SET holder_run_id = excluded.holder_run_id, pid = excluded.pid, host = excluded.host,
               acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
          )
          .run(key.scope, key.name, holder.runId, holder.pid, holder.host, acquiredAt.toISOString(), now.toISOString(), expires.toISOString());
      if (!row) {
        write(now);
        return { lease: new Lease(db, opts, now, expires), reentered: false };
      }
      const current = recordOf(row);
      if (sameHolder(current, holder)) {
        write(current.acquiredAt);
        return { lease: new Lease(db, opts, current.acquiredAt, expires), reentered: true };
      }
      const why = deadBecause(current, now, holder.host, isAlive);
      if (why === undefined) {
        throw new AtlasError(
          `The ${labelOf(opts)} is held by ${holderText(current)} since ${formatLeaseTime(current.acquiredAt)} (last heartbeat ${formatLeaseTime(current.heartbeatAt)}); wait for that run to finish, or if it is dead rerun after ${formatLeaseTime(current.expiresAt)} when its lease expires.`,
          { code: 'LEASE_HELD' },
        );
      }
      write(now);
      const note = `took over the ${labelOf(opts)} from ${holderText(current)}, held since ${formatLeaseTime(current.acquiredAt)}: ${
        why === 'holder process gone' ? `pid ${current.pid} no longer runs on ${current.host}` : `its heartbeat expired at ${formatLeaseTime(current.expiresAt)}`
      }`;
      return { lease: new Lease(db, opts, now, expires), takenOver: { previous: current, why, note }, reentered: false };
    })
    .immediate();
  chaosPoint('store', 'lease acquired');
  return taken;
}

/** Who holds the lease now, if anyone (expired rows included: their holder has not released them). */
export function currentHolder(db: Database.Database, key: LeaseKey): LeaseRecord | undefined {
  const row = readRow(db, key);
  return row ? recordOf(row) : undefined;
}

/** A held lease: renew it while working, release it at the end. Only the holder can do either. */
export class Lease {
  private expires: Date;
  private released = false;

  constructor(
    private readonly db: Database.Database,
    private readonly opts: LeaseOptions,
    readonly acquiredAt: Date,
    expiresAt: Date,
  ) {
    this.expires = expiresAt;
  }

  get key(): LeaseKey {
    return this.opts.key;
  }

  get holder(): LeaseHolder {
    return this.opts.holder;
  }

  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  get expiresAt(): Date {
    return this.expires;
  }

  /**
   * Moves the heartbeat to now and the expiry to now + ttl. Throws AtlasError LEASE_LOST when the
   * lease is no longer this holder's (released, or taken over after it expired): the caller must
   * stop placing orders.
   */
  renew(): LeaseRecord {
    return this.db
      .transaction((): LeaseRecord => {
        const row = readRow(this.db, this.opts.key);
        const current = row ? recordOf(row) : undefined;
        if (this.released || !current || !sameHolder(current, this.opts.holder)) {
          const by = current ? `it is now held by ${holderText(current)} since ${formatLeaseTime(current.acquiredAt)}` : 'it was released';
          throw new AtlasError(
            `The ${labelOf(this.opts)} is no longer held by ${holderText(this.opts.holder)}: ${by}; stop this run and check the account before rerunning.`,
            { code: 'LEASE_LOST' },
          );
        }
        const now = this.opts.clock.now();
        this.expires = new Date(now.getTime() + this.opts.ttlMs);
        prepared(this.db, 'UPDATE account_leases SET heartbeat_at = ?, expires_at = ? WHERE broker = ? AND account = ?')
          .run(now.toISOString(), this.expires.toISOString(), this.opts.key.scope, this.opts.key.name);
        return { ...current, heartbeatAt: now, expiresAt: this.expires };
      })
      .immediate();
  }

  /** Deletes the lease row if this holder still owns it; true when it did. Safe to call twice. */
  release(): boolean {
    if (this.released) return false;
    this.released = true;
    const { key, holder } = this.opts;
    const r = prepared(this.db, 'DELETE FROM account_leases WHERE broker = ? AND account = ? AND holder_run_id = ? AND pid = ? AND host = ?')
      .run(key.scope, key.name, holder.runId, holder.pid, holder.host);
    chaosPoint('store', 'lease released');
    return r.changes > 0;
  }
}
