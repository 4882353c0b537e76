/**
 * @module Reading the audit trail back: typed records from every file (rotated ones oldest
 * first, then the current one), and the lines that could not be read (torn or edited beyond
 * parsing), each with its file, line and byte offset, so a caller can show the rest and warn.
 * Both formats are read: chained files (21 columns) and legacy files (19 columns, no chain).
 */
import { basename } from 'node:path';
import { AtlasError } from '../../core/errors.js';
import { rethrowIo } from '../../core/ioErrors.js';
import { nodeAuditFs, type AuditFs } from './auditFs.js';
import { executionLogFiles } from './files.js';
import { recordOf, type ExecutionLogRecord } from './row.js';
import { scanBuffer } from './scan.js';

export interface ReadExecutionLogOptions {
  /** Only this run's events. */
  runId?: string;
  /** Throw on an unreadable line instead of reporting it. Default false. */
  strict?: boolean;
  fs?: Pick<AuditFs, 'readdirSync' | 'existsSync' | 'readFileSync'>;
}

/** A line the reader could not turn into a record. */
export interface DamagedLine {
  file: string;
  line: number;
  offset: number;
  /** Why, e.g. "unbalanced quotes", "3 cells, expected 21". */
  why: string;
  /** false when it is the file's last line and has no line end: a write cut short. */
  terminated: boolean;
}

export interface ExecutionLogRead {
  records: ExecutionLogRecord[];
  damaged: DamagedLine[];
}

export function describeDamage(d: DamagedLine): string {
  const what = d.terminated ? 'cannot be read' : 'is torn (cut short)';
  return `${d.file} line ${d.line} (byte ${d.offset}) ${what}: ${d.why}`;
}

/** Every record (both formats) and every unreadable line, in file order. */
export function readExecutionLogDetailed(dir: string, options: ReadExecutionLogOptions = {}): ExecutionLogRead {
  const fs = options.fs ?? nodeAuditFs;
  const records: ExecutionLogRecord[] = [];
  const damaged: DamagedLine[] = [];
  for (const file of executionLogFiles(dir, fs)) {
    const name = basename(file);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (err) {
      rethrowIo(err, file);
    }
    for (const e of scanBuffer(buf)) {
      if (e.kind === 'bad') {
        const d: DamagedLine = { file: name, line: e.line, offset: e.offset, why: e.why, terminated: e.terminated };
        if (options.strict) throw new AtlasError(`The execution log ${describeDamage(d)}; run \`atlas log verify\` for the whole trail.`, { code: 'AUDIT_LOG_DAMAGED' });
        damaged.push(d);
        continue;
      }
      if (e.kind !== 'record' && e.kind !== 'legacy') continue;
      if (options.runId !== undefined && e.cells[1] !== options.runId) continue;
      records.push(recordOf(e.cells, { file: name, line: e.line, offset: e.offset, hash: e.kind === 'record' ? e.hash : undefined }));
    }
  }
  return { records, damaged };
}

/** Reads the rotated files (oldest first) then the current one, returning typed events. */
export function readExecutionLog(dir: string, options: ReadExecutionLogOptions = {}): ExecutionLogRecord[] {
  return readExecutionLogDetailed(dir, options).records;
}
