import * as nodeFs from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { EXECUTION_LOG_COLUMNS, EXECUTION_LOG_FILE, ExecutionLog, readExecutionLogDetailed, verifyExecutionLog, type AuditFs } from '../../src/execution/audit/index.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const HEADER_BYTES = Buffer.byteLength(`${EXECUTION_LOG_COLUMNS.join(',')}\r\n`);

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

/**
 * node:fs with a disk that fills up at the Nth write call: that call writes half of its bytes
 * (a short write, as a real full disk does) and every later write or fsync fails with ENOSPC,
 * until `free()`. `truncateWorks: false` models a process that dies before it can cut the file back.
 */
function fillingDisk(failAt: number, options: { truncateWorks: boolean; failFsyncInstead?: boolean }) {
  let writes = 0;
  let fsyncs = 0;
  let full = false;
  const state = { partialBytes: -1, free: () => (full = false) };
  const fs: AuditFs = {
    ...nodeFs,
    writeSync: ((fd: number, buf: Buffer, off: number, len: number, pos?: number | null) => {
      if (typeof buf === 'string') throw new Error('the audit log writes buffers');
      if (full) throw enospc();
      writes++;
      if (!options.failFsyncInstead && writes === failAt) {
        full = true;
        const half = Math.floor(len / 2);
        state.partialBytes = half;
        return half === 0 ? (() => { throw enospc(); })() : nodeFs.writeSync(fd, buf, off, half, pos);
      }
      return nodeFs.writeSync(fd, buf, off, len, pos);
    }) as typeof nodeFs.writeSync,
    fsyncSync: (fd: number) => {
      if (full) throw enospc();
      fsyncs++;
      if (options.failFsyncInstead && fsyncs === failAt) {
        full = true;
        throw enospc();
      }
      nodeFs.fsyncSync(fd);
    },
    ftruncateSync: (fd: number, len?: number) => {
      if (!options.truncateWorks) throw new Error('killed before the truncate');
      nodeFs.ftruncateSync(fd, len);
    },
  };
  return { fs, state };
}

const LINES = 3;

function scenario(failAt: number, options: { truncateWorks: boolean; failFsyncInstead?: boolean }) {
  const dir = tmp();
  const path = join(dir, EXECUTION_LOG_FILE);
  const { fs, state } = fillingDisk(failAt, options);
  const log = new ExecutionLog({ dir, runId: 'run-1', fs, lock: { timeoutMs: 2000 } });
  let failure: unknown;
  let ok = 0;
  let sizeBefore = 0;
  for (let i = 0; i < LINES && failure === undefined; i++) {
    sizeBefore = nodeFs.existsSync(path) ? statSync(path).size : 0;
    try {
      log.orderPlanned({ symbol: 'AAPL', side: 'buy', qty: i, detail: `line ${i}, "quoted"\nwith a newline` });
      ok++;
    } catch (err) {
      failure = err;
    }
  }
  return { dir, path, log, state, failure, ok, sizeBefore };
}

function expectOneSentence(err: unknown, dir: string): void {
  expect(err).toBeInstanceOf(AtlasError);
  const e = err as AtlasError;
  expect(e.code).toBe('DISK_FULL');
  expect(e.message).toMatch(/^Cannot write .*execution_log\.csv(\.lock)?: the disk is full \(ENOSPC\); free some space on that disk.*\.$/);
  expect(e.message).toContain(dir);
  expect(e.message).not.toMatch(/\n|\. [A-Z]/);
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => !/^execution_log(\.\d{8}T\d{9}Z(-\d+)?)?\.csv$/.test(f));
}

// Each append writes twice: the lock file (a temp file linked into place), then the log line.
const WRITE_POINTS = Array.from({ length: LINES * 2 }, (_, i) => i + 1);

describe('ENOSPC at each write of the audit log', () => {
  it.each(WRITE_POINTS)('write %i fails: one sentence, no lock left, nothing torn, the next line is readable and the chain verifies', (failAt) => {
    const s = scenario(failAt, { truncateWorks: true });
    expectOneSentence(s.failure, s.dir);
    expect(s.ok).toBe(Math.floor((failAt - 1) / 2));
    expect(leftovers(s.dir)).toEqual([]); // no lock, empty or full, and no temp file
    s.state.free();
    s.log.runEnd('after the disk was freed');
    const read = readExecutionLogDetailed(s.dir);
    expect(read.damaged).toEqual([]);
    expect(read.records.map((r) => r.event)).toEqual([...Array.from({ length: s.ok }, () => 'ORDER_PLANNED'), 'RUN_END']);
    expect(verifyExecutionLog(s.dir)).toMatchObject({ ok: true, records: s.ok + 1 });
  });

  it.each(WRITE_POINTS.filter((n) => n % 2 === 0))('log write %i torn and never cut back: verify names the torn line at its byte, nothing after it is hidden', (failAt) => {
    const s = scenario(failAt, { truncateWorks: false });
    expectOneSentence(s.failure, s.dir);
    expect(leftovers(s.dir)).toEqual([]);
    s.state.free();
    s.log.runEnd('after the disk was freed');
    s.log.runStart();
    const read = readExecutionLogDetailed(s.dir);
    expect(read.records.map((r) => r.event)).toEqual([...Array.from({ length: s.ok }, () => 'ORDER_PLANNED'), 'RUN_END', 'RUN_START']);
    const report = verifyExecutionLog(s.dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    const p = report.problems[0];
    if (s.sizeBefore === 0 && s.state.partialBytes < HEADER_BYTES) {
      // the header itself was cut: that file is kept as evidence and a fresh one started
      expect(p).toMatchObject({ kind: 'header', line: 1, offset: 0 });
      expect(p.file).not.toBe(EXECUTION_LOG_FILE);
    } else {
      const tornAt = s.sizeBefore === 0 ? HEADER_BYTES : s.sizeBefore;
      expect(p).toMatchObject({ kind: 'torn', file: EXECUTION_LOG_FILE, offset: tornAt, line: s.ok + 2 });
      expect(read.damaged).toEqual([expect.objectContaining({ offset: tornAt, line: s.ok + 2 })]);
    }
  });

  it('the first write cut inside the header and never cut back: that file is kept aside, a fresh one starts, verify names it', () => {
    const dir = tmp();
    let writes = 0;
    let full = false;
    const fs: AuditFs = {
      ...nodeFs,
      writeSync: ((fd: number, buf: Buffer, off: number, len: number, pos?: number | null) => {
        if (full) throw enospc();
        if (++writes === 2) {
          full = true;
          return nodeFs.writeSync(fd, buf, off, 10, pos); // 10 bytes of the header
        }
        return nodeFs.writeSync(fd, buf, off, len, pos);
      }) as typeof nodeFs.writeSync,
      ftruncateSync: () => {
        throw new Error('killed before the truncate');
      },
    };
    const log = new ExecutionLog({ dir, runId: 'run-1', fs });
    expect(() => log.runStart()).toThrow(expect.objectContaining({ code: 'DISK_FULL' }));
    full = false;
    log.runStart();
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(readExecutionLogDetailed(dir).records.map((r) => r.event)).toEqual(['RUN_START']);
    const report = verifyExecutionLog(dir);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'header', file: files.find((f) => f !== EXECUTION_LOG_FILE), line: 1, offset: 0 })]);
    expect(report.records).toBe(1);
  });

  it.each([1, 2, 3])('fsync %i of the log fails: the line is cut back, one sentence, the chain verifies', (failAt) => {
    const s = scenario(failAt, { truncateWorks: true, failFsyncInstead: true });
    expectOneSentence(s.failure, s.dir);
    expect(leftovers(s.dir)).toEqual([]);
    s.state.free();
    s.log.runEnd();
    expect(readExecutionLogDetailed(s.dir).records).toHaveLength(s.ok + 1);
    expect(verifyExecutionLog(s.dir).ok).toBe(true);
  });
});
