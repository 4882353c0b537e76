/**
 * @module Which files make up the audit trail, in order, and rotation.
 *
 * The current file is `execution_log.csv`; a full one is renamed to
 * `execution_log.<UTC yyyyMMddTHHmmssSSSZ>[-n].csv`, a name that does not exist yet and sorts
 * after every earlier rotation even when the clock stands still or steps back.
 */
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { errCode, nodeAuditFs, type AuditFs } from './auditFs.js';

export const EXECUTION_LOG_FILE = 'execution_log.csv';
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

const ROTATED = /^execution_log\.(\d{8}T\d{9}Z)(?:-(\d+))?\.csv$/;

interface RotatedFile {
  name: string;
  stamp: string;
  counter: number;
}

function compareRotated(a: RotatedFile, b: RotatedFile): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.counter - b.counter;
}

function listRotated(dir: string, fs: Pick<AuditFs, 'readdirSync'>): RotatedFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return [];
    throw err;
  }
  const out: RotatedFile[] = [];
  for (const name of names) {
    const m = ROTATED.exec(name);
    if (m) out.push({ name, stamp: m[1], counter: m[2] === undefined ? 0 : Number(m[2]) });
  }
  return out.sort(compareRotated);
}

/** The rotated files of `dir`, oldest first (full paths). */
export function rotatedLogFiles(dir: string, fs: Pick<AuditFs, 'readdirSync'> = nodeAuditFs): string[] {
  return listRotated(dir, fs).map((r) => join(dir, r.name));
}

/** Every log file of `dir`, oldest first: rotated files by (stamp, counter), then the current one. */
export function executionLogFiles(dir: string, fs: Pick<AuditFs, 'readdirSync' | 'existsSync'> = nodeAuditFs): string[] {
  const files = rotatedLogFiles(dir, fs);
  const current = join(dir, EXECUTION_LOG_FILE);
  if (fs.existsSync(current)) files.push(current);
  return files;
}

function rotationStamp(t: Date | number): string {
  return DateTime.fromMillis(typeof t === 'number' ? t : t.getTime(), { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmssSSS'Z'");
}

/** Renames `dir`'s current file to a fresh execution_log.<stamp>[-n].csv that sorts last; returns it. */
export function rotate(dir: string, now: Date | number, fs: Pick<AuditFs, 'readdirSync' | 'existsSync' | 'renameSync'>): string {
  const existing = listRotated(dir, fs);
  let stamp = rotationStamp(now);
  let counter = 0;
  const newest = existing.at(-1);
  if (newest && newest.stamp >= stamp) {
    stamp = newest.stamp;
    counter = newest.counter + 1;
  }
  for (;;) {
    const name = counter === 0 ? `execution_log.${stamp}.csv` : `execution_log.${stamp}-${counter}.csv`;
    const target = join(dir, name);
    if (!fs.existsSync(target)) {
      fs.renameSync(join(dir, EXECUTION_LOG_FILE), target);
      return target;
    }
    counter++;
  }
}
