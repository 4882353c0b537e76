import { spawnSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { AtlasError } from '../../src/core/errors.js';
import { FileLock } from '../../src/execution/audit/fileLock.js';
import { ExecutionLog, readExecutionLog } from '../../src/execution/audit/index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'atlas-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid ?? 0;
}

describe('FileLock', () => {
  it('creates and removes the lock file around the critical section', () => {
    const path = join(tmp(), 'x.lock');
    const lock = new FileLock(path);
    const inside = lock.withLock(() => existsSync(path));
    expect(inside).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('releases the lock when the critical section throws', () => {
    const path = join(tmp(), 'x.lock');
    expect(() => new FileLock(path).withLock(() => {
      throw new Error('inside');
    })).toThrow('inside');
    expect(existsSync(path)).toBe(false);
  });

  it('times out on a live lock held by a running process, by its clock', () => {
    const path = join(tmp(), 'x.lock');
    const clock = new ManualClock('2026-03-09T14:00:00Z');
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), token: 'other', at: clock.now().getTime() }));
    let waited = 0;
    const lock = new FileLock(path, { timeoutMs: 150, clock, sleepSync: (ms) => ((waited += ms), clock.advance(ms)) });
    expect(() => lock.withLock(() => 1)).toThrow(/Could not lock/);
    expect(waited).toBeGreaterThan(150);
    expect(existsSync(path)).toBe(true); // not ours: untouched
  });

  it('takes over an empty or unparseable lock (left by an older Atlas) at once, not after staleMs', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    const clock = new ManualClock('2026-03-09T14:00:00Z');
    const noWait = (): void => {
      throw new Error('should not have to wait');
    };
    for (const junk of ['', '{"pid":', 'not json']) {
      writeFileSync(path, junk); // fresh mtime: age plays no part
      expect(new FileLock(path, { clock, sleepSync: noWait }).withLock(() => 'ok')).toBe('ok');
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('writes the lock whole or not at all: a full disk leaves no lock file', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    const fs = {
      ...nodeFs,
      writeSync: (() => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }) as typeof nodeFs.writeSync,
    };
    const err = (() => {
      try {
        new FileLock(path, { fs }).acquire();
      } catch (e) {
        return e as AtlasError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('DISK_FULL');
    expect(err?.message).toBe(`Cannot write ${path}: the disk is full (ENOSPC); free some space on that disk, or move the data directory with --data-dir, and run the command again.`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the lock file appears complete: it is linked into place from a written temp file', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    const seen: string[] = [];
    const fs = {
      ...nodeFs,
      linkSync: (from: nodeFs.PathLike, to: nodeFs.PathLike) => {
        seen.push(nodeFs.readFileSync(from, 'utf8'));
        nodeFs.linkSync(from, to);
      },
    };
    new FileLock(path, { fs }).withLock(() => {
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    });
    expect(JSON.parse(seen[0])).toMatchObject({ pid: process.pid });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('falls back to exclusive create where hard links are not supported', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    const fs = {
      ...nodeFs,
      linkSync: () => {
        throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
      },
    };
    expect(new FileLock(path, { fs }).withLock(() => JSON.parse(readFileSync(path, 'utf8')) as { pid: number }).pid).toBe(process.pid);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('breaks a lock left by a dead process on this host', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead', at: Date.now() }));
    expect(new FileLock(path, { timeoutMs: 1000 }).withLock(() => 42)).toBe(42);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('breaks a lock older than staleMs even if its owner looks alive', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    const clock = new ManualClock('2026-03-09T14:00:00Z');
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: 'elsewhere', token: 't', at: clock.now().getTime() - 120_000 }));
    expect(new FileLock(path, { staleMs: 60_000, timeoutMs: 1000, clock }).withLock(() => 'ok2')).toBe('ok2');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('after taking over a dead lock, removes temp lock files of dead processes (killed between write and link)', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    const dead = deadPid();
    writeFileSync(path, JSON.stringify({ pid: dead, host: hostname(), token: 'dead', at: Date.now() }));
    writeFileSync(`${path}.${dead}.0b6f7c1e-1111-4222-8333-944455556666.tmp`, '{"pid":');
    const live = `${path}.${process.pid}.0b6f7c1e-1111-4222-8333-944455556667.tmp`;
    writeFileSync(live, '{}');
    new FileLock(path, { timeoutMs: 1000 }).withLock(() => undefined);
    expect(readdirSync(dir)).toEqual([live.slice(dir.length + 1)]); // a live process's temp is not touched
  });

  it('keeps a fresh lock of another host (cannot check its pid)', () => {
    const path = join(tmp(), 'x.lock');
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'another-host', token: 't', at: Date.now() }));
    expect(() => new FileLock(path, { timeoutMs: 50 }).acquire()).toThrow(/Could not lock/);
  });

  it('lets the execution log recover from a crashed writer', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'execution_log.csv.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), token: 'x', at: Date.now() }));
    new ExecutionLog({ dir, runId: 'r', lock: { timeoutMs: 1000 } }).runStart();
    expect(readExecutionLog(dir)).toHaveLength(1);
    expect(existsSync(join(dir, 'execution_log.csv.lock'))).toBe(false);
  });
});
