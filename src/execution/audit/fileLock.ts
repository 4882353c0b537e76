/**
 * A synchronous advisory lock file for short critical sections shared by several processes on
 * one machine (the execution log's rotate + append).
 *
 * Acquire = exclusive create (`open(path, 'wx')`, i.e. O_CREAT|O_EXCL) of `<path>` holding
 * `{pid, host, token, at}`. Release = unlink, only if the file still holds our token.
 * A lock is stale when its owner is a dead pid on this host, or when it is older than `staleMs`
 * (a hung or remote owner). A stale lock is taken over by renaming it aside (atomic: exactly one
 * contender wins the rename) and checking the renamed file is the very lock judged stale; if a
 * fresh lock was moved by mistake, it is linked back.
 */
import * as nodeFs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AtlasError } from '../../core/errors.js';

export type LockFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'closeSync' | 'readFileSync' | 'statSync' | 'renameSync' | 'linkSync' | 'unlinkSync'>;

export interface FileLockOptions {
  /** A lock older than this is considered abandoned. Default 30 s (critical sections take ms). */
  staleMs?: number;
  /** Give up acquiring after this long. Default 10 s. */
  timeoutMs?: number;
  fs?: LockFs;
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  at: number;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds (the log API is synchronous by design). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, Math.max(0, ms));
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM';
  }
}

function parseInfo(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string') return v as LockInfo;
  } catch {
    // empty or half-written lock: judged by age alone
  }
  return undefined;
}

export class FileLock {
  private readonly staleMs: number;
  private readonly timeoutMs: number;
  private readonly fs: LockFs;

  constructor(
    readonly path: string,
    options: FileLockOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fs = options.fs ?? nodeFs;
  }

  /** Runs `fn` while holding the lock. */
  withLock<T>(fn: () => T): T {
    const token = this.acquire();
    try {
      return fn();
    } finally {
      this.release(token);
    }
  }

  /** Blocks until the lock is ours; returns our token. */
  acquire(): string {
    const token = `${process.pid}-${randomUUID()}`;
    const deadline = Date.now() + this.timeoutMs;
    let wait = 1;
    for (;;) {
      if (this.tryCreate(token)) return token;
      if (this.breakIfStale()) continue;
      if (Date.now() > deadline) {
        throw new AtlasError(`Could not lock ${this.path} within ${this.timeoutMs} ms; if no other Atlas process is running, delete that file.`, {
          code: 'LOCK_TIMEOUT',
        });
      }
      sleepSync(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 20);
    }
  }

  release(token: string): void {
    try {
      const info = parseInfo(this.fs.readFileSync(this.path, 'utf8'));
      if (info?.token === token) this.fs.unlinkSync(this.path);
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
    }
  }

  private tryCreate(token: string): boolean {
    let fd: number;
    try {
      fd = this.fs.openSync(this.path, 'wx');
    } catch (err) {
      if (errCode(err) === 'EEXIST') return false;
      throw err;
    }
    try {
      const info: LockInfo = { pid: process.pid, host: hostname(), token, at: Date.now() };
      this.fs.writeSync(fd, JSON.stringify(info));
    } finally {
      this.fs.closeSync(fd);
    }
    return true;
  }

  /** true when the lock is gone or was removed as stale (retry at once), false when it is live. */
  private breakIfStale(): boolean {
    let raw: string;
    let mtimeMs: number;
    try {
      mtimeMs = this.fs.statSync(this.path).mtimeMs;
      raw = this.fs.readFileSync(this.path, 'utf8');
    } catch (err) {
      if (errCode(err) === 'ENOENT') return true;
      throw err;
    }
    const info = parseInfo(raw);
    const deadOwner = info !== undefined && info.host === hostname() && !pidAlive(info.pid);
    const tooOld = Date.now() - mtimeMs > this.staleMs;
    if (!deadOwner && !tooOld) return false;

    const aside = `${this.path}.stale.${process.pid}.${randomUUID()}`;
    try {
      this.fs.renameSync(this.path, aside);
    } catch (err) {
      if (errCode(err) === 'ENOENT') return true;
      throw err;
    }
    let moved = '';
    try {
      moved = this.fs.readFileSync(aside, 'utf8');
    } catch {
      // unreadable: treat as the stale one
      moved = raw;
    }
    if (moved !== raw) {
      // We moved a lock taken after our check: give it back (fails only if a third process
      // already re-created the lock, in which case the owner we displaced will not unlink it).
      try {
        this.fs.linkSync(aside, this.path);
      } catch {
        // nothing better to do
      }
    }
    try {
      this.fs.unlinkSync(aside);
    } catch {
      // already gone
    }
    return moved === raw;
  }
}
