/**
 * @module Appending one chained record to the audit trail. The caller holds the directory's lock.
 *
 *   1. open `execution_log.csv` ('wx+' to create, else 'a+' = O_APPEND, readable);
 *   2. rotate it out first when it has reached maxBytes, or when its first line is not the
 *      current header (a legacy file from before the chain, or a damaged one: kept as evidence,
 *      never appended to);
 *   3. find the hash to link to: the last record of this file, else of the newest earlier file;
 *   4. write header (empty file only) + LF (if the file does not end with one: a torn line is
 *      closed, so it can only damage itself) + the record + CRLF, in one write call;
 *   5. fsync, close (and fsync the directory after a create or a rename).
 * If the write or the fsync fails (a full disk), the file is cut back to its previous size so
 * no partial record stays behind, and the failure becomes one sentence (core/ioErrors.ts).
 */
import { join } from 'node:path';
import { chaosPoint } from '../../core/chaos.js';
import { rethrowIo } from '../../core/ioErrors.js';
import { errCode, type AuditFs } from './auditFs.js';
import { GENESIS_HASH, sealLine } from './chain.js';
import { EXECUTION_LOG_FILE, rotate, rotatedLogFiles } from './files.js';
import { HEADER_TEXT } from './format.js';
import { chainTail } from './scan.js';

export interface AppendTarget {
  dir: string;
  maxBytes: number;
  fs: AuditFs;
}

const HEADER_LINE = Buffer.from(`${HEADER_TEXT}\r\n`, 'utf8');

/** Appends one record (escaped event cells) durably; returns the hashes it was sealed with. */
export function appendRecord(target: AppendTarget, escapedCells: readonly string[], now: Date | number): { prevHash: string; hash: string } {
  const { dir, fs } = target;
  const path = join(dir, EXECUTION_LOG_FILE);
  let dirChanged = false;
  let fd = openCurrent(fs, path);
  if (fd.created) dirChanged = true;
  let size: number;
  try {
    size = fs.fstatSync(fd.fd).size;
    if (size > 0 && (size >= target.maxBytes || !startsWithHeader(fs, fd.fd, size))) {
      fs.closeSync(fd.fd);
      fd.fd = -1;
      rotate(dir, now, fs);
      dirChanged = true;
      fd = openCurrent(fs, path);
      size = fs.fstatSync(fd.fd).size;
    }
  } catch (err) {
    if (fd.fd >= 0) fs.closeSync(fd.fd);
    rethrowIo(err, path);
  }
  try {
    const prevHash = linkTarget(target, fd.fd, size);
    const { text, hash } = sealLine(escapedCells, prevHash);
    const torn = size > 0 && !endsWithLf(fs, fd.fd, size);
    const parts: Buffer[] = [];
    if (size === 0) parts.push(HEADER_LINE);
    if (torn) parts.push(Buffer.from('\n'));
    parts.push(Buffer.from(`${text}\r\n`, 'utf8'));
    writeDurably(fs, fd.fd, Buffer.concat(parts), size, path);
    // Killed here: the line is on disk, the lock is still held and the caller never learns it.
    chaosPoint('audit', 'audit line appended');
    return { prevHash, hash };
  } finally {
    fs.closeSync(fd.fd);
    if (dirChanged) fsyncDir(fs, dir);
  }
}

function openCurrent(fs: AuditFs, path: string): { fd: number; created: boolean } {
  try {
    return { fd: fs.openSync(path, 'wx+'), created: true };
  } catch (err) {
    if (errCode(err) !== 'EEXIST') rethrowIo(err, path);
  }
  try {
    return { fd: fs.openSync(path, 'a+'), created: false };
  } catch (err) {
    rethrowIo(err, path);
  }
}

function readAt(fs: AuditFs, fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n <= 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function startsWithHeader(fs: AuditFs, fd: number, size: number): boolean {
  return size >= HEADER_LINE.length && readAt(fs, fd, HEADER_LINE.length, 0).equals(HEADER_LINE);
}

function endsWithLf(fs: AuditFs, fd: number, size: number): boolean {
  return readAt(fs, fd, 1, size - 1)[0] === 0x0a;
}

/** The hash of the last record before the one we append, across rotations; GENESIS if none. */
function linkTarget(target: AppendTarget, fd: number, size: number): string {
  const here = chainTail(target.fs, fd, size);
  if (here.found === 'hash') return here.hash;
  if (here.found === 'genesis') return GENESIS_HASH;
  const earlier = rotatedLogFiles(target.dir, target.fs).reverse();
  for (const file of earlier) {
    let rfd: number;
    try {
      rfd = target.fs.openSync(file, 'r');
    } catch (err) {
      if (errCode(err) === 'ENOENT') continue;
      rethrowIo(err, file);
    }
    try {
      const tail = chainTail(target.fs, rfd, target.fs.fstatSync(rfd).size);
      if (tail.found === 'hash') return tail.hash;
      if (tail.found === 'genesis') return GENESIS_HASH;
    } finally {
      target.fs.closeSync(rfd);
    }
  }
  return GENESIS_HASH;
}

/** One write call on the O_APPEND descriptor, then fsync; on failure, cut the file back to `before`. */
function writeDurably(fs: AuditFs, fd: number, buf: Buffer, before: number, path: string): void {
  try {
    let off = fs.writeSync(fd, buf, 0, buf.length);
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
  } catch (err) {
    try {
      // Shrinking needs no free space: the torn bytes go, the file is as it was.
      fs.ftruncateSync(fd, before);
      fs.fsyncSync(fd);
    } catch {
      // left torn: the next append closes the line with LF and verify reports it
    }
    rethrowIo(err, path);
  }
}

function fsyncDir(fs: AuditFs, dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported on every platform (Windows): the file data itself is fsynced
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
