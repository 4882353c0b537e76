import { appendFileSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import {
  EXECUTION_LOG_FILE,
  EVENT_COLUMNS,
  ExecutionLog,
  GENESIS_HASH,
  executionLogFiles,
  readExecutionLog,
  readExecutionLogDetailed,
  sha256Hex,
  verifyExecutionLog,
} from '../../src/execution/audit/index.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const T0 = Date.parse('2026-03-09T13:30:00Z');

function logIn(dir: string, maxBytes?: number): ExecutionLog {
  const clock = new ManualClock(T0);
  return new ExecutionLog({ dir, runId: 'run-1', account: 'PA1', broker: 'paper', clock: () => (clock.advance(1), clock.now()), maxBytes });
}

/** A log of `n` ORDER_PLANNED lines (qty = i) in the current file. */
function written(n: number): { dir: string; path: string } {
  const dir = tmp();
  const log = logIn(dir);
  for (let i = 0; i < n; i++) log.orderPlanned({ symbol: 'AAPL', side: 'buy', qty: i, clientOrderId: `c-${i}`, detail: { note: `line ${i}, "q"\nnext` } });
  return { dir, path: join(dir, EXECUTION_LOG_FILE) };
}

/** The file's lines (without CRLF) and the byte offset of each. */
function linesOf(path: string): { lines: string[]; offsets: number[] } {
  const lines = readFileSync(path, 'utf8').split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const offsets: number[] = [];
  let at = 0;
  for (const l of lines) {
    offsets.push(at);
    at += Buffer.byteLength(l) + 2;
  }
  return { lines, offsets };
}

function writeLines(path: string, lines: string[]): void {
  writeFileSync(path, lines.map((l) => `${l}\r\n`).join(''));
}

describe('the hash chain', () => {
  it('links every line to the one before it, across rotations, from GENESIS on', () => {
    const dir = tmp();
    const log = logIn(dir, 600);
    const rows = Array.from({ length: 30 }, (_, i) => log.append({ event: 'SIGNAL', qty: i }));
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    const files = executionLogFiles(dir);
    expect(files.length).toBeGreaterThan(3);
    // the first line of every rotated-in file links to the last line of the file before it
    const recs = readExecutionLog(dir);
    for (let f = 1; f < files.length; f++) {
      const name = files[f].slice(dir.length + 1);
      const first = recs.findIndex((r) => r.file === name);
      expect(rows[first].prev_hash).toBe(rows[first - 1].hash);
      expect(recs[first - 1].file).not.toBe(name);
    }
    // each hash is the SHA-256 of the line up to its prev_hash cell
    const text = readFileSync(files[0], 'utf8').split('\r\n')[1];
    expect(sha256Hex(text.slice(0, text.lastIndexOf(',')))).toBe(rows[0].hash);
    const report = verifyExecutionLog(dir);
    expect(report).toMatchObject({ ok: true, records: 30, legacyRecords: 0, problems: [], head: rows[29].hash });
  });

  it('an intact trail verifies, and --head catches lines cut from its end', () => {
    const { dir, path } = written(6);
    const head = verifyExecutionLog(dir).head ?? '';
    expect(verifyExecutionLog(dir, { expectHead: head }).ok).toBe(true);
    const { lines } = linesOf(path);
    writeLines(path, lines.slice(0, -1));
    expect(verifyExecutionLog(dir).ok).toBe(true); // the chain alone cannot see a cut end
    const r = verifyExecutionLog(dir, { expectHead: head });
    expect(r.ok).toBe(false);
    expect(r.problems[0].kind).toBe('missing-head');
  });
});

describe('atlas log verify finds the first damaged line', () => {
  it('an altered field: that very line', () => {
    const { dir, path } = written(6);
    const { lines, offsets } = linesOf(path);
    const edited = lines[3].replace(',buy,2,', ',buy,20,'); // line 4 = the 3rd record: qty 2 -> 20
    expect(edited).not.toBe(lines[3]);
    lines[3] = edited;
    writeLines(path, lines);
    const r = verifyExecutionLog(dir);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ kind: 'altered', file: EXECUTION_LOG_FILE, line: 4, offset: offsets[3] });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/line 4 \(byte \d+\) was altered/);
  });

  it('a deleted line: the line after the gap', () => {
    const { dir, path } = written(6);
    const { lines, offsets } = linesOf(path);
    writeLines(path, [...lines.slice(0, 3), ...lines.slice(4)]); // remove line 4
    const r = verifyExecutionLog(dir);
    expect(r.problems[0]).toMatchObject({ kind: 'broken-link', line: 4, offset: offsets[3] });
    expect(r.problems[0].message).toMatch(/does not link to line 3/);
    expect(r.problems).toHaveLength(1);
  });

  it('the first record deleted: the new first record links to nothing', () => {
    const { dir, path } = written(3);
    const { lines } = linesOf(path);
    writeLines(path, [lines[0], ...lines.slice(2)]);
    expect(verifyExecutionLog(dir).problems[0]).toMatchObject({ kind: 'broken-link', line: 2 });
  });

  it('a line truncated mid-way (a torn write): that line, at its byte offset', () => {
    const { dir, path } = written(5);
    const { lines, offsets } = linesOf(path);
    truncateSync(path, offsets[5] + 40); // cut the last line (line 6) after 40 bytes
    const r = verifyExecutionLog(dir);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'torn', line: 6, offset: offsets[5] })]);
    expect(r.problems[0].message).toMatch(/is torn/);
    // the reader shows the rest and reports the torn line
    const read = readExecutionLogDetailed(dir);
    expect(read.records.map((x) => x.qty)).toEqual([0, 1, 2, 3]);
    expect(read.damaged).toEqual([expect.objectContaining({ file: EXECUTION_LOG_FILE, line: 6, offset: offsets[5], terminated: false })]);
    expect(lines).toHaveLength(6);
  });

  it('a torn line followed by new writes: only the torn line is reported, the new lines chain on', () => {
    const { dir, path } = written(3);
    const { offsets } = linesOf(path);
    truncateSync(path, offsets[3] + 25);
    const log = logIn(dir);
    log.runEnd('after the tear');
    log.runStart();
    const r = verifyExecutionLog(dir);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'torn', line: 4, offset: offsets[3] })]);
    expect(r.records).toBe(4);
    expect(readExecutionLog(dir).map((x) => x.event)).toEqual(['ORDER_PLANNED', 'ORDER_PLANNED', 'RUN_END', 'RUN_START']);
  });

  it('two swapped lines: the first of them', () => {
    const { dir, path } = written(6);
    const { lines, offsets } = linesOf(path);
    [lines[3], lines[4]] = [lines[4], lines[3]];
    writeLines(path, lines);
    const r = verifyExecutionLog(dir);
    expect(r.problems[0]).toMatchObject({ kind: 'broken-link', line: 4, offset: offsets[3] });
  });

  it("a rotated file's last line removed: the first line of the next file", () => {
    const dir = tmp();
    const log = logIn(dir, 700);
    for (let i = 0; i < 12; i++) log.orderPlanned({ symbol: 'MSFT', side: 'sell', qty: i });
    const files = executionLogFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    const { lines } = linesOf(files[0]);
    writeLines(files[0], lines.slice(0, -1));
    const r = verifyExecutionLog(dir);
    const next = files[1].slice(dir.length + 1);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'broken-link', file: next, line: 2, offset: linesOf(files[1]).offsets[1] })]);
    expect(r.problems[0].message).toContain(`the end of ${files[0].slice(dir.length + 1)} was cut`);
  });

  it('a whole rotated file removed: the first line of the file after it', () => {
    const dir = tmp();
    const log = logIn(dir, 700);
    for (let i = 0; i < 12; i++) log.orderPlanned({ symbol: 'MSFT', side: 'sell', qty: i });
    const files = executionLogFiles(dir);
    unlinkSync(files[1]);
    const r = verifyExecutionLog(dir);
    expect(r.problems[0]).toMatchObject({ kind: 'broken-link', file: files[2].slice(dir.length + 1), line: 2 });
  });

  it('an inserted unchained line and an inserted header are reported', () => {
    const { dir, path } = written(3);
    const { lines } = linesOf(path);
    const legacyLine = '2026-03-09T09:30:00.500-04:00,run-1,ORDER_PLANNED,PA1,paper,AAPL,buy,9,,,,,,,,,,,';
    writeLines(path, [...lines.slice(0, 2), legacyLine, ...lines.slice(2)]);
    expect(verifyExecutionLog(dir).problems[0]).toMatchObject({ kind: 'unchained', line: 3 });
    writeLines(path, [...lines.slice(0, 2), lines[0], ...lines.slice(2)]);
    expect(verifyExecutionLog(dir).problems[0]).toMatchObject({ kind: 'header', line: 3 });
  });
});

describe('legacy files (before the chain)', () => {
  const legacyHeader = EVENT_COLUMNS.join(',');
  const legacyLine = (i: number, reason: string) => `2026-03-01T10:00:00.000-05:00,old-run,ORDER_PLANNED,PA1,paper,AAPL,buy,${i},,,,,,,,,,${reason},`;

  it('are read, are rotated out before the first chained line, and verify notes them without failing', () => {
    const dir = tmp();
    const path = join(dir, EXECUTION_LOG_FILE);
    // an old file: RFC 4180 quoting, including a raw newline inside a quoted cell
    writeFileSync(path, `${legacyHeader}\r\n${legacyLine(1, 'plain')}\r\n${legacyLine(2, '"two\r\nlines, quoted"')}\r\n`);
    expect(readExecutionLog(dir).map((r) => [r.qty, r.reason])).toEqual([
      [1, 'plain'],
      [2, 'two\r\nlines, quoted'],
    ]);
    logIn(dir).runStart();
    const files = executionLogFiles(dir);
    expect(files).toHaveLength(2); // the legacy file was rotated out, never appended to
    expect(readFileSync(files[0], 'utf8').startsWith(`${legacyHeader}\r\n`)).toBe(true);
    expect(readExecutionLog(dir).map((r) => r.event)).toEqual(['ORDER_PLANNED', 'ORDER_PLANNED', 'RUN_START']);
    const r = verifyExecutionLog(dir);
    expect(r).toMatchObject({ ok: true, records: 1, legacyRecords: 2 });
    expect(r.notes).toEqual([`No chain before ${EXECUTION_LOG_FILE} line 2: the 2 line(s) before it were written by an Atlas older than the hash chain and cannot be verified.`]);
  });

  it('a torn legacy line never swallows the next one', () => {
    const dir = tmp();
    const path = join(dir, EXECUTION_LOG_FILE);
    // what the issue saw: a disk-full write cut a line inside a quoted cell
    writeFileSync(path, `${legacyHeader}\r\n${legacyLine(1, 'ok')}\r\n2026-03-01T10:00:01.000-05:00,old-run,ORDER_PLANNED,PA1,paper,AAPL,buy,2,,,,,,,,,,"cut in`);
    appendFileSync(path, `\r\n${legacyLine(3, 'after')}\r\n`);
    const read = readExecutionLogDetailed(dir);
    expect(read.records.map((r) => r.qty)).toEqual([1, 3]);
    expect(read.damaged).toEqual([expect.objectContaining({ line: 3 })]);
  });
});

describe('the current file renamed by hand', () => {
  it('is still one chain when it comes back under a rotated name', () => {
    const { dir, path } = written(3);
    renameSync(path, join(dir, 'execution_log.20260309T000000000Z.csv'));
    logIn(dir).runEnd();
    expect(verifyExecutionLog(dir)).toMatchObject({ ok: true, records: 4 });
  });
});
