import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../src/core/clock.js';
import { AtlasError } from '../../src/core/errors.js';
import { openDatabase } from '../../src/data/store/database.js';
import { MIGRATIONS } from '../../src/data/store/migrations.js';
import {
  acquireDataDirLease,
  acquireLease,
  accountLeaseHolder,
  createHeartbeat,
  isProcessAlive,
  type AccountLeaseRequest,
} from '../../src/execution/lease/index.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const T0 = '2026-11-24T15:00:00Z';

function setup() {
  const db = openDatabase(tmp());
  const clock = new ManualClock(T0);
  const req = (over: Partial<AccountLeaseRequest> = {}): AccountLeaseRequest => ({
    broker: 'alpaca', account: 'PA1', runId: 'run-a', pid: 100, host: 'box', ttlMs: 60_000, clock, isAlive: () => true, ...over,
  });
  return { db, clock, req };
}

function refusal(fn: () => unknown): AtlasError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AtlasError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('account lease', () => {
  it('migration 6 creates the lease table', () => {
    const { db } = setup();
    expect(MIGRATIONS.find((m) => m.description.startsWith('leases'))?.version).toBe(6);
    const cols = (db.prepare('PRAGMA table_info(account_leases)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(['broker', 'account', 'holder_run_id', 'pid', 'host', 'acquired_at', 'heartbeat_at', 'expires_at']);
  });

  it('a free lease is taken; a second run is refused with one sentence naming the holder and since when', () => {
    const { db, clock, req } = setup();
    const a = acquireLease(db, req());
    expect(a.takenOver).toBeUndefined();
    expect(a.reentered).toBe(false);
    expect(a.lease.expiresAt.toISOString()).toBe('2026-11-24T15:01:00.000Z');
    clock.advance(5_000);
    const err = refusal(() => acquireLease(db, req({ runId: 'run-b', pid: 200 })));
    expect(err.code).toBe('LEASE_HELD');
    expect(err.message).toBe(
      'The account PA1 at alpaca is held by run run-a (pid 100 on box) since 2026-11-24 10:00:00 ET (last heartbeat 2026-11-24 10:00:00 ET); wait for that run to finish, or if it is dead rerun after 2026-11-24 10:01:00 ET when its lease expires.',
    );
    expect(err.message.match(/\. /g)).toBeNull(); // one sentence
    expect(accountLeaseHolder(db, 'alpaca', 'PA1')).toMatchObject({ runId: 'run-a', pid: 100, host: 'box' });
    // another account at the same broker is independent
    expect(acquireLease(db, req({ account: 'PA2', runId: 'run-b', pid: 200 })).takenOver).toBeUndefined();
  });

  it('the same holder re-acquiring renews instead of refusing; the same run in another live process is refused', () => {
    const { db, clock, req } = setup();
    acquireLease(db, req());
    clock.advance(30_000);
    const again = acquireLease(db, req());
    expect(again.reentered).toBe(true);
    expect(again.lease.acquiredAt.toISOString()).toBe('2026-11-24T15:00:00.000Z');
    expect(again.lease.expiresAt.toISOString()).toBe('2026-11-24T15:01:30.000Z');
    expect(refusal(() => acquireLease(db, req({ pid: 101 }))).code).toBe('LEASE_HELD');
  });

  it('a holder whose pid is gone on this host is taken over, and the result says so', () => {
    const { db, req } = setup();
    acquireLease(db, req());
    const b = acquireLease(db, req({ runId: 'run-b', pid: 200, isAlive: (pid) => pid !== 100 }));
    expect(b.takenOver?.why).toBe('holder process gone');
    expect(b.takenOver?.previous).toMatchObject({ runId: 'run-a', pid: 100, host: 'box' });
    expect(b.takenOver?.note).toMatch(/^took over the account PA1 at alpaca from run run-a \(pid 100 on box\), held since .*: pid 100 no longer runs on box$/);
    expect(accountLeaseHolder(db, 'alpaca', 'PA1')?.runId).toBe('run-b');
  });

  it('a dead-looking pid on another host is not trusted: only the expiry frees that lease', () => {
    const { db, clock, req } = setup();
    acquireLease(db, req({ host: 'other-box' }));
    const isAlive = () => false;
    clock.advance(59_999);
    expect(refusal(() => acquireLease(db, req({ runId: 'run-b', pid: 200, isAlive }))).code).toBe('LEASE_HELD');
    clock.advance(1);
    const b = acquireLease(db, req({ runId: 'run-b', pid: 200, isAlive }));
    expect(b.takenOver?.why).toBe('heartbeat expired');
    expect(b.takenOver?.note).toMatch(/its heartbeat expired at 2026-11-24 10:01:00 ET$/);
  });

  it('renew keeps it alive past the first expiry; the old holder loses it after a takeover (LEASE_LOST)', () => {
    const { db, clock, req } = setup();
    const a = acquireLease(db, req()).lease;
    clock.advance(50_000);
    a.renew();
    clock.advance(50_000); // 100 s after the start, 50 s after the renewal
    expect(refusal(() => acquireLease(db, req({ runId: 'run-b', pid: 200 }))).code).toBe('LEASE_HELD');
    clock.advance(10_000);
    const b = acquireLease(db, req({ runId: 'run-b', pid: 200 }));
    expect(b.takenOver?.why).toBe('heartbeat expired');
    const lost = refusal(() => a.renew());
    expect(lost.code).toBe('LEASE_LOST');
    expect(lost.message).toMatch(/no longer held by run run-a .*now held by run run-b \(pid 200 on box\)/);
    // release only by the holder: a's release leaves b's lease alone
    expect(a.release()).toBe(false);
    expect(accountLeaseHolder(db, 'alpaca', 'PA1')?.runId).toBe('run-b');
    expect(b.lease.release()).toBe(true);
    expect(b.lease.release()).toBe(false);
    expect(accountLeaseHolder(db, 'alpaca', 'PA1')).toBeUndefined();
    expect(refusal(() => b.lease.renew()).code).toBe('LEASE_LOST');
    expect(acquireLease(db, req({ runId: 'run-c', pid: 300 })).takenOver).toBeUndefined();
  });

  it('refuses a non-positive ttl and empty names', () => {
    const { db, req } = setup();
    expect(refusal(() => acquireLease(db, req({ ttlMs: 0 }))).code).toBe('BAD_LEASE_INPUT');
    expect(refusal(() => acquireLease(db, req({ account: '' }))).code).toBe('BAD_LEASE_INPUT');
  });

  it('isProcessAlive: this process is alive, a pid that cannot exist is not', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
  });

  it('the data-directory lease shares the table under its own scope', () => {
    const { db, clock } = setup();
    const d = acquireDataDirLease(db, { dataDir: '/var/atlas', holderId: 'daemon-1', ttlMs: 1000, clock, pid: 5, host: 'box', isAlive: () => true });
    expect(d.lease.key).toEqual({ scope: 'daemon', name: '/var/atlas' });
    const err = refusal(() => acquireDataDirLease(db, { dataDir: '/var/atlas', holderId: 'daemon-2', ttlMs: 1000, clock, pid: 6, host: 'box', isAlive: () => true }));
    expect(err.message).toMatch(/^The data directory \/var\/atlas is held by run daemon-1 \(pid 5 on box\)/);
  });
});

/** A clock whose sleeps resolve only when the test says so. */
class SteppedClock implements Clock {
  private t = Date.parse(T0);
  private waiting: (() => void)[] = [];
  now(): Date {
    return new Date(this.t);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.t += ms;
        resolve();
      }),
    );
  }
  async step(): Promise<void> {
    const w = this.waiting.splice(0);
    for (const f of w) f();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
}

describe('lease heartbeat', () => {
  it('beatIfDue renews only once the interval has passed', () => {
    const { db, clock, req } = setup();
    const lease = acquireLease(db, req()).lease;
    const hb = createHeartbeat(lease, { clock, intervalMs: 20_000 });
    clock.advance(19_999);
    expect(hb.beatIfDue()).toBe(false);
    clock.advance(1);
    expect(hb.beatIfDue()).toBe(true);
    expect(lease.expiresAt.toISOString()).toBe('2026-11-24T15:01:20.000Z');
    expect(hb.beats).toBe(1);
  });

  it('the loop renews on every interval of the clock and stops on request', async () => {
    const db = openDatabase(tmp());
    const clock = new SteppedClock();
    const lease = acquireLease(db, { broker: 'paper', account: 'LARGE', runId: 'r', pid: 1, host: 'h', ttlMs: 30_000, clock, isAlive: () => true }).lease;
    const hb = createHeartbeat(lease, { clock });
    hb.start();
    await clock.step();
    await clock.step();
    await clock.step();
    expect(hb.beats).toBe(3);
    expect(accountLeaseHolder(db, 'paper', 'LARGE')?.heartbeatAt.toISOString()).toBe('2026-11-24T15:00:30.000Z');
    await hb.stop();
    await clock.step();
    expect(hb.beats).toBe(3);
  });

  it('a lost lease stops the heartbeat and reports it once', async () => {
    const db = openDatabase(tmp());
    const clock = new SteppedClock();
    const lease = acquireLease(db, { broker: 'paper', account: 'LARGE', runId: 'r', pid: 1, host: 'h', ttlMs: 30_000, clock, isAlive: () => true }).lease;
    const errors: unknown[] = [];
    const hb = createHeartbeat(lease, { clock, onLost: (e) => errors.push(e) });
    hb.start();
    lease.release();
    await clock.step();
    await clock.step();
    expect(errors).toHaveLength(1);
    expect((hb.lost as AtlasError).code).toBe('LEASE_LOST');
    await hb.stop();
  });
});
