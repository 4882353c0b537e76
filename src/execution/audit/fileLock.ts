/**
 * @module A synchronous advisory lock file for short critical sections shared by several
 * processes on one machine (the execution log's rotate + append).
 *
 * Acquire = write `{pid, host, token, at}` to a private temp file, then `link` it to `<path>`:
 * link fails with EEXIST when the lock is held, and otherwise makes the complete file appear at
 * once, so a full disk leaves either no lock or a whole one, never an empty lock file. Release =
 * unlink, only if the file still holds our token. A lock is stale when its owner is a dead pid
 * on this host, when it is older than `staleMs` (a hung or remote owner), or at once when it is
 * empty or unparseable (only an older Atlas, which created and then wrote the lock, or a damaged
 * disk could leave one). A stale lock is taken over by renaming it aside (atomic: exactly one
 * contender wins) and checking the renamed file is the very lock judged stale; if a fresh lock
 * was moved by mistake, it is linked back.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import { AtlasError } from '../../core/errors.js';
import { rethrowIo } from '../../core/ioErrors.js';
import { errCode, nodeAuditFs, type AuditFs } from './auditFs.js';

export type LockFs = Pick<AuditFs, 'openSync' | 'writeSync' | 'closeSync' | 'readFileSync' | 'statSync' | 'renameSync' | 'linkSync' | 'unlinkSync'> &
  Partial<Pick<AuditFs, 'readdirSync'>>;

export interface FileLockOptions {
  /** A lock older than this is considered abandoned. Default 30 s (critical sections take ms). */
  staleMs?: number;
  /** Give up acquiring after this long. Default 10 s. */
  timeoutMs?: number;
  fs?: LockFs;
  /** Lock ages and the acquire deadline. Default: the system clock. */
  clock?: Clock;
  /** Blocks between attempts; defaults to a real wait. A test with a ManualClock advances it here. */
  sleepSync?: (ms: number) => void;
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
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string' && typeof v.at === 'number') return v as LockInfo;
  } catch {
    // empty or half-written: an older Atlas's lock, stale at once
  }
  return undefined;
}

/** Errors of `link` on file systems without hard links: fall back to exclusive create. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

export class FileLock {
  private readonly staleMs: number;
  private readonly timeoutMs: number;
  private readonly fs: LockFs;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => void;

  constructor(
    readonly path: string,
    options: FileLockOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fs = options.fs ?? nodeAuditFs;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleepSync ?? sleepSync;
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
    const deadline = this.clock.now().getTime() + this.timeoutMs;
    let wait = 1;
    for (;;) {
      if (this.tryCreate(token)) return token;
      if (this.breakIfStale()) continue;
      if (this.clock.now().getTime() > deadline) {
        throw new AtlasError(`Could not lock ${this.path} within ${this.timeoutMs} ms; if no other Atlas process is running, delete that file.`, {
          code: 'LOCK_TIMEOUT',
        });
      }
      this.sleep(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 20);
    }
  }

  release(token: string): void {
    try {
      const info = parseInfo(this.fs.readFileSync(this.path, 'utf8'));
      if (info?.token === token) this.fs.unlinkSync(this.path);
    } catch (err) {
      if (errCode(err) !== 'ENOENT') rethrowIo(err, this.path);
    }
  }

  private tryCreate(token: string): boolean {
    const text = JSON.stringify({ pid: process.pid, host: hostname(), token, at: this.clock.now().getTime() } satisfies LockInfo);
    const temp = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      this.writeWhole(temp, 'wx', text);
    } catch (err) {
      this.unlinkQuietly(temp);
      rethrowIo(err, this.path);
    }
    try {
      this.fs.linkSync(temp, this.path);
      return true;
    } catch (err) {
      const code = errCode(err);
      if (code === 'EEXIST') return false;
      if (code !== undefined && NO_LINKS.has(code)) return this.tryCreateWithoutLinks(text);
      rethrowIo(err, this.path);
    } finally {
      this.unlinkQuietly(temp);
    }
  }

  /** Exclusive create, then write; a failed write removes the lock again rather than leave it empty. */
  private tryCreateWithoutLinks(text: string): boolean {
    try {
      this.writeWhole(this.path, 'wx', text);
      return true;
    } catch (err) {
      if (errCode(err) === 'EEXIST') return false;
      this.unlinkQuietly(this.path);
      rethrowIo(err, this.path);
    }
  }

  private writeWhole(path: string, flags: string, text: string): void {
    const fd = this.fs.openSync(path, flags);
    try {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) off += this.fs.writeSync(fd, buf, off, buf.length - off);
    } finally {
      this.fs.closeSync(fd);
    }
  }

  private unlinkQuietly(path: string): void {
    try {
      this.fs.unlinkSync(path);
    } catch {
      // already gone
    }
  }

  /** true when the lock is gone or was removed as stale (retry at once), false when it is live. */
  private breakIfStale(): boolean {
    let raw: string;
    try {
      raw = this.fs.readFileSync(this.path, 'utf8');
    } catch (err) {
      if (errCode(err) === 'ENOENT') return true;
      rethrowIo(err, this.path);
    }
    const info = parseInfo(raw);
    const unreadable = info === undefined;
    const deadOwner = info !== undefined && info.host === hostname() && !pidAlive(info.pid);
    const tooOld = info !== undefined && this.clock.now().getTime() - info.at > this.staleMs;
    if (!unreadable && !deadOwner && !tooOld) return false;

    const aside = `${this.path}.stale.${process.pid}.${randomUUID()}`;
    try {
      this.fs.renameSync(this.path, aside);
    } catch (err) {
      if (errCode(err) === 'ENOENT') return true;
      rethrowIo(err, this.path);
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
    this.unlinkQuietly(aside);
    if (moved === raw) this.sweepDeadTemps();
    return moved === raw;
  }

  /** Temp files of processes killed between writing and linking their lock (found after a crash). */
  private sweepDeadTemps(): void {
    const readdir = this.fs.readdirSync;
    if (readdir === undefined) return;
    const dir = dirname(this.path);
    const prefix = `${basename(this.path)}.`;
    let names: string[];
    try {
      names = readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f-]+\.tmp$/.exec(name.slice(prefix.length)) : null;
      if (m && !pidAlive(Number(m[1]))) this.unlinkQuietly(join(dir, name));
    }
  }
}
