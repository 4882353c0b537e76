/**
 * @module `atlas log verify`: walks every audit file, oldest first, and checks each record's own
 * hash (an edited line) and its link to the record before it (a removed, inserted or reordered
 * line, a cut file end, a missing file), and that every line can be read (a torn line). Lines
 * from before the chain (legacy files) cannot be checked: they are counted and noted, not failed.
 *
 * What it cannot see on its own: lines cut from the very end of the newest file, or a trail
 * rewritten from some point on with every later hash recomputed. Both show up when the head
 * hash printed by an earlier verify is passed back with `expectHead` (`--head`).
 */
import { basename } from 'node:path';
import { rethrowIo } from '../../core/ioErrors.js';
import { nodeAuditFs, type AuditFs } from './auditFs.js';
import { GENESIS_HASH } from './chain.js';
import { executionLogFiles } from './files.js';
import { scanBuffer } from './scan.js';

export type VerifyProblemKind = 'altered' | 'broken-link' | 'torn' | 'header' | 'unchained' | 'missing-head';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  file: string;
  line: number;
  offset: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** The files walked, oldest first (names). */
  files: string[];
  /** Chained records checked, and legacy (unchained) records seen. */
  records: number;
  legacyRecords: number;
  /** The last record's hash: keep it elsewhere and pass it back as `expectHead` later. */
  head?: string;
  problems: VerifyProblem[];
  notes: string[];
}

export interface VerifyOptions {
  fs?: Pick<AuditFs, 'readdirSync' | 'existsSync' | 'readFileSync'>;
  /** A head hash recorded earlier: it must still be in the chain. */
  expectHead?: string;
}

interface Seen {
  file: string;
  line: number;
}

export function verifyExecutionLog(dir: string, options: VerifyOptions = {}): VerifyReport {
  const fs = options.fs ?? nodeAuditFs;
  const report: VerifyReport = { ok: true, files: [], records: 0, legacyRecords: 0, problems: [], notes: [] };
  const problem = (kind: VerifyProblemKind, file: string, line: number, offset: number, message: string) =>
    report.problems.push({ kind, file, line, offset, message: `${file} line ${line} (byte ${offset}) ${message}` });
  let expected = GENESIS_HASH;
  let last: Seen | undefined;
  let legacyPending = 0;
  let headFound = options.expectHead === undefined;

  for (const path of executionLogFiles(dir, fs)) {
    const file = basename(path);
    report.files.push(file);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path);
    } catch (err) {
      rethrowIo(err, path);
    }
    const entries = scanBuffer(buf);
    const legacyFile = entries[0]?.kind === 'legacy-header';
    const badHeader = entries.length > 0 && entries[0].kind !== 'header' && !legacyFile;
    if (badHeader) problem('header', file, 1, entries[0].offset, 'is not the execution log header: it was torn or altered, or this is not an audit file');
    entries.forEach((e, i) => {
      if (i === 0 && badHeader && e.kind === 'bad') return; // one problem per line
      switch (e.kind) {
        case 'header':
        case 'legacy-header':
          if (i > 0) problem('header', file, e.line, e.offset, 'repeats the header in the middle of the file: a line was inserted');
          else if (e.kind === 'legacy-header') {
            expected = GENESIS_HASH;
            last = undefined;
          }
          return;
        case 'bad':
          problem('torn', file, e.line, e.offset, e.terminated ? `cannot be read (${e.why}): it was torn by a failed write or edited` : `is torn: the file ends in the middle of it (${e.why})`);
          return;
        case 'legacy':
          if (!legacyFile) {
            problem('unchained', file, e.line, e.offset, 'has no hash: it was inserted, or appended by an Atlas older than the hash chain');
            return;
          }
          report.legacyRecords++;
          legacyPending++;
          expected = GENESIS_HASH;
          last = undefined;
          return;
        case 'record': {
          if (legacyPending > 0) {
            report.notes.push(`No chain before ${file} line ${e.line}: the ${legacyPending} line(s) before it were written by an Atlas older than the hash chain and cannot be verified.`);
            legacyPending = 0;
          }
          if (!e.intact) problem('altered', file, e.line, e.offset, 'was altered: its content no longer matches its hash');
          else if (e.prevHash !== expected) problem('broken-link', file, e.line, e.offset, brokenLink(file, last));
          if (e.hash === options.expectHead) headFound = true;
          expected = e.hash;
          last = { file, line: e.line };
          report.records++;
          return;
        }
      }
    });
  }
  if (legacyPending > 0) report.notes.push(`The last ${legacyPending} line(s) were written by an Atlas older than the hash chain and cannot be verified.`);
  if (report.records > 0) report.head = expected;
  if (!headFound) {
    report.problems.push({
      kind: 'missing-head',
      file: last?.file ?? '',
      line: last?.line ?? 0,
      offset: 0,
      message: `No line has the head hash ${options.expectHead ?? ''} recorded earlier: lines after it were cut or the trail was rewritten`,
    });
  }
  report.ok = report.problems.length === 0;
  return report;
}

function brokenLink(file: string, last: Seen | undefined): string {
  if (last === undefined) return 'links to a line that is not there: the lines or files before it were removed';
  if (last.file === file) return `does not link to line ${last.line} before it: a line was removed or inserted there, lines were swapped, or line ${last.line} was rewritten`;
  return `does not link to the last line of ${last.file} (line ${last.line}): the end of ${last.file} was cut or rewritten, or a log file between them is missing`;
}
