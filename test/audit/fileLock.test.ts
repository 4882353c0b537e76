import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('times out on a live lock held by a running process', () => {
    const path = join(tmp(), 'x.lock');
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), token: 'other', at: Date.now() }));
    const t = Date.now();
    expect(() => new FileLock(path, { timeoutMs: 150 }).withLock(() => 1)).toThrow(/Could not lock/);
    expect(Date.now() - t).toBeGreaterThanOrEqual(150);
    expect(existsSync(path)).toBe(true); // not ours: untouched
  });

  it('breaks a lock left by a dead process on this host', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead', at: Date.now() }));
    expect(new FileLock(path, { timeoutMs: 1000 }).withLock(() => 42)).toBe(42);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('breaks a lock older than staleMs even if its owner looks alive (or is unreadable)', () => {
    const dir = tmp();
    const path = join(dir, 'x.lock');
    writeFileSync(path, ''); // a half-written lock
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    expect(new FileLock(path, { staleMs: 60_000, timeoutMs: 1000 }).withLock(() => 'ok')).toBe('ok');
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: 'elsewhere', token: 't', at: 0 }));
    utimesSync(path, old, old);
    expect(new FileLock(path, { staleMs: 60_000, timeoutMs: 1000 }).withLock(() => 'ok2')).toBe('ok2');
    expect(readdirSync(dir)).toEqual([]);
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
