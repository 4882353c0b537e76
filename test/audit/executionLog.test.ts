import * as nodeFs from 'node:fs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv/parseCsv.js';
import {
  EXECUTION_LOG_COLUMNS,
  EXECUTION_LOG_FILE,
  ExecutionLog,
  executionLogFiles,
  formatLogTable,
  nyTimestamp,
  readExecutionLog,
  type AuditFs,
  type ExecutionLogOptions,
} from '../../src/execution/audit/index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'atlas-audit-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-03-09T13:30:00Z'); // 09:30 New York, the first Monday of EDT

/** A clock that advances 1 ms per call from `start`. */
function ticking(start = T0): () => number {
  let t = start;
  return () => t++;
}

function logIn(dir: string, over: Partial<ExecutionLogOptions> = {}): ExecutionLog {
  return new ExecutionLog({ dir, runId: 'run-1', account: 'PA123', broker: 'alpaca-paper', clock: ticking(), ...over });
}

function rowsOf(file: string) {
  return parseCsv(readFileSync(file, 'utf8'));
}

describe('ExecutionLog: format', () => {
  it('writes the header once per file, then one line per event', () => {
    const dir = tmp();
    const log = logIn(dir);
    log.runStart({ mode: 'paper' });
    log.signal({ regime: 'TREND_BULL', selection: ['AAPL', 'MSFT'] });
    // a second writer (another run) appends to the same file without a second header
    logIn(dir, { runId: 'run-2' }).runEnd('done');
    const text = readFileSync(join(dir, EXECUTION_LOG_FILE), 'utf8');
    expect(text.startsWith(`${EXECUTION_LOG_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(text.split('\r\n').filter((l) => l.startsWith('timestamp,'))).toHaveLength(1);
    const rows = rowsOf(join(dir, EXECUTION_LOG_FILE));
    expect(rows).toHaveLength(4);
    expect(rows.slice(1).map((r) => r.fields[2])).toEqual(['RUN_START', 'SIGNAL', 'RUN_END']);
    expect(rows[1].fields.slice(0, 5)).toEqual(['2026-03-09T09:30:00.000-04:00', 'run-1', 'RUN_START', 'PA123', 'alpaca-paper']);
  });

  it('quotes commas, quotes and newlines per RFC 4180 and round-trips them', () => {
    const dir = tmp();
    const log = logIn(dir);
    const nasty = [
      'plain',
      'a, b, c',
      'say "hello"',
      'line one\nline two',
      'crlf\r\ninside',
      '"starts with a quote',
      ',',
      '',
      'ünïcødé — ✓',
    ];
    for (const s of nasty) log.append({ event: 'ORDER_REJECTED', symbol: 'AAPL', reason: s, detail: `${s}|${s}` });
    const recs = readExecutionLog(dir, { strict: true });
    expect(recs.map((r) => r.reason ?? '')).toEqual(nasty);
    expect(recs.map((r) => r.detail)).toEqual(nasty.map((s) => `${s}|${s}`));
    for (const r of rowsOf(join(dir, EXECUTION_LOG_FILE))) expect(r.fields).toHaveLength(EXECUTION_LOG_COLUMNS.length);
    // a record is one physical line: CR and LF inside a cell are escaped, never written raw
    const text = readFileSync(join(dir, EXECUTION_LOG_FILE), 'utf8');
    expect(text.split('\r\n')).toHaveLength(nasty.length + 2);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('round-trips any text through parseCsv (property)', () => {
    const dir = tmp();
    const log = logIn(dir);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 20 }), (reason, sym) => {
        const row = log.append({ event: 'ERROR', reason, symbol: sym });
        const recs = readExecutionLog(dir, { strict: true });
        const last = recs[recs.length - 1];
        expect(last.reason ?? '').toBe(row.reason);
        expect(last.symbol ?? '').toBe(row.symbol);
      }),
      { numRuns: 100 },
    );
  });

  it('types the columns on the way back and filters by run id', () => {
    const dir = tmp();
    const log = logIn(dir);
    log.orderPlanned({ symbol: 'AAPL', side: 'buy', qty: 10, orderType: 'limit', limitPrice: 187.25, clientOrderId: 'c-1', intent: 'OPEN', refPrice: 187.1 });
    log.validation({ gate: 3, name: 'position size', result: 'WARN', reason: 'AAPL 15.10% > 15.00%', symbol: 'AAPL' });
    log.orderSubmitted({ symbol: 'AAPL', side: 'buy', qty: 10, orderType: 'limit', limitPrice: 187.25, orderId: 'o-1', clientOrderId: 'c-1', status: 'accepted' });
    log.orderFilled({ symbol: 'AAPL', side: 'buy', qty: 10, orderId: 'o-1', fillPrice: 187.2, fillQty: 4, partial: true, fillTime: Date.parse('2026-03-09T13:31:02.5Z') });
    log.orderFilled({ symbol: 'AAPL', side: 'buy', qty: 10, orderId: 'o-1', fillPrice: 187.21, fillQty: 6, status: 'filled' });
    log.orderCanceled({ symbol: 'MSFT', orderId: 'o-2', reason: 'stale' });
    log.orderRejected({ symbol: 'TSLA', reason: 'insufficient buying power' });
    log.error(new Error('boom'), { symbol: 'X' });
    logIn(dir, { runId: 'other' }).runStart();

    const all = readExecutionLog(dir);
    expect(all.map((r) => r.event)).toEqual([
      'ORDER_PLANNED',
      'VALIDATION',
      'ORDER_SUBMITTED',
      'PARTIAL_FILL',
      'ORDER_FILLED',
      'ORDER_CANCELED',
      'ORDER_REJECTED',
      'ERROR',
      'RUN_START',
    ]);
    const mine = readExecutionLog(dir, { runId: 'run-1' });
    expect(mine).toHaveLength(8);
    expect(mine[0]).toMatchObject({ symbol: 'AAPL', side: 'buy', qty: 10, orderType: 'limit', limitPrice: 187.25, clientOrderId: 'c-1', file: EXECUTION_LOG_FILE, line: 2 });
    expect(JSON.parse(mine[0].detail ?? '')).toEqual({ intent: 'OPEN', refPrice: 187.1 });
    expect(mine[1]).toMatchObject({ gate: 3, result: 'WARN', reason: 'AAPL 15.10% > 15.00%' });
    expect(mine[3]).toMatchObject({ fillPrice: 187.2, fillQty: 4 });
    expect(JSON.parse(mine[3].detail ?? '')).toEqual({ filledAt: '2026-03-09T09:31:02.500-04:00' });
    expect(mine[7]).toMatchObject({ reason: 'boom', symbol: 'X' });
    expect(mine[5].qty).toBeUndefined();
    const table = formatLogTable(all);
    expect(table.split('\n')).toHaveLength(all.length + 3); // top border, header, one line per record, bottom border
    expect(table).toContain('PARTIAL_FILL');
  });

  it('logs a whole gate run: every gate plus each non-PASS per-order verdict', () => {
    const dir = tmp();
    const rows = logIn(dir).validations([
      { gate: 1, name: 'structure', result: 'PASS', reason: 'ok', perOrder: [{ symbol: 'A', result: 'PASS', reason: 'ok' }] },
      { gate: 6, name: 'symbol validity', result: 'FAIL', reason: 'X unknown', perOrder: [{ symbol: 'X', result: 'FAIL', reason: 'unknown' }] },
    ]);
    expect(rows.map((r) => [r.gate, r.symbol, r.result])).toEqual([
      ['1', '', 'PASS'],
      ['6', '', 'FAIL'],
      ['6', 'X', 'FAIL'],
    ]);
  });

  it('rejects an unknown event', () => {
    expect(() => logIn(tmp()).append({ event: 'NOPE' as 'ERROR' })).toThrow(/Unknown execution log event/);
  });
});

describe('ExecutionLog: timestamps', () => {
  it('are ISO-8601 in New York with the right offset across both 2026 DST changes', () => {
    const cases: [string, string][] = [
      ['2026-03-08T06:59:59.999Z', '2026-03-08T01:59:59.999-05:00'], // last EST instant
      ['2026-03-08T07:00:00.000Z', '2026-03-08T03:00:00.000-04:00'], // clocks jump to EDT
      ['2026-03-09T13:30:00.000Z', '2026-03-09T09:30:00.000-04:00'],
      ['2026-11-01T05:30:00.000Z', '2026-11-01T01:30:00.000-04:00'], // first 01:30 (EDT)
      ['2026-11-01T06:30:00.000Z', '2026-11-01T01:30:00.000-05:00'], // second 01:30 (EST)
      ['2026-12-31T21:00:00.000Z', '2026-12-31T16:00:00.000-05:00'],
    ];
    for (const [utc, ny] of cases) expect(nyTimestamp(Date.parse(utc))).toBe(ny);
    const dir = tmp();
    let i = 0;
    const log = logIn(dir, { clock: () => new Date(cases[i++][0]) });
    for (let k = 0; k < cases.length; k++) log.append({ event: 'SIGNAL' });
    expect(readExecutionLog(dir).map((r) => r.timestamp)).toEqual(cases.map((c) => c[1]));
    // and they sort back to the right instants
    expect(readExecutionLog(dir).map((r) => new Date(r.timestamp).toISOString())).toEqual(cases.map((c) => c[0]));
  });
});

describe('ExecutionLog: durability', () => {
  function spyFs(logPath: string) {
    const ops: { op: string; fd: number }[] = [];
    const logFds = new Set<number>();
    const fs: AuditFs = {
      ...nodeFs,
      openSync: ((path: nodeFs.PathLike, flags?: nodeFs.OpenMode, mode?: nodeFs.Mode | null) => {
        const fd = nodeFs.openSync(path, flags ?? 'r', mode);
        if (String(path) === logPath) {
          logFds.add(fd);
          ops.push({ op: 'open', fd });
        }
        return fd;
      }) as typeof nodeFs.openSync,
      writeSync: ((fd: number, ...rest: unknown[]) => {
        if (logFds.has(fd)) ops.push({ op: 'write', fd });
        return (nodeFs.writeSync as (...a: unknown[]) => number)(fd, ...rest);
      }) as typeof nodeFs.writeSync,
      fsyncSync: (fd: number) => {
        if (logFds.has(fd)) ops.push({ op: 'fsync', fd });
        nodeFs.fsyncSync(fd);
      },
      closeSync: (fd: number) => {
        if (logFds.has(fd)) {
          ops.push({ op: 'close', fd });
          logFds.delete(fd);
        }
        nodeFs.closeSync(fd);
      },
    };
    return { fs, ops };
  }

  it('writes each line in one write call, fsyncs it, then closes', () => {
    const dir = tmp();
    const { fs, ops } = spyFs(join(dir, EXECUTION_LOG_FILE));
    const log = logIn(dir, { fs });
    log.runStart();
    log.orderSubmitted({ symbol: 'AAPL', side: 'buy', qty: 1 });
    log.runEnd();
    expect(ops.map((o) => o.op)).toEqual(['open', 'write', 'fsync', 'close', 'open', 'write', 'fsync', 'close', 'open', 'write', 'fsync', 'close']);
    expect(readExecutionLog(dir)).toHaveLength(3);
  });

  it('terminates a line torn by a crash before appending, so the new line survives', () => {
    const dir = tmp();
    const path = join(dir, EXECUTION_LOG_FILE);
    logIn(dir).runStart();
    nodeFs.appendFileSync(path, '2026-03-09T09:30:00.000-04:00,run-1,ORDER_PLA'); // crash mid-line
    logIn(dir).runEnd('after crash');
    const recs = readExecutionLog(dir);
    expect(recs.map((r) => r.event)).toEqual(['RUN_START', 'RUN_END']);
    expect(recs[1].detail).toBe('after crash');
    expect(() => readExecutionLog(dir, { strict: true })).toThrow(/line 3/);
  });

  it('adds the header to an existing empty file', () => {
    const dir = tmp();
    writeFileSync(join(dir, EXECUTION_LOG_FILE), '');
    logIn(dir).runStart();
    expect(rowsOf(join(dir, EXECUTION_LOG_FILE))[0].fields).toEqual([...EXECUTION_LOG_COLUMNS]);
  });

  it('creates the directory', () => {
    const dir = join(tmp(), 'a', 'b');
    logIn(dir).runStart();
    expect(existsSync(join(dir, EXECUTION_LOG_FILE))).toBe(true);
  });
});

describe('ExecutionLog: rotation', () => {
  it('rotates at the size limit, keeping every line exactly once and one header per file', () => {
    const dir = tmp();
    const maxBytes = 700;
    const log = logIn(dir, { maxBytes });
    const n = 60;
    for (let i = 0; i < n; i++) log.orderPlanned({ symbol: 'AAPL', side: 'buy', qty: i, clientOrderId: `c-${i}`, detail: 'x'.repeat(i % 13) });
    const files = executionLogFiles(dir);
    expect(files.length).toBeGreaterThan(5);
    expect(files[files.length - 1]).toBe(join(dir, EXECUTION_LOG_FILE));
    const recs = readExecutionLog(dir, { strict: true });
    expect(recs.map((r) => r.qty)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const f of files) {
      const rows = rowsOf(f);
      expect(rows[0].fields).toEqual([...EXECUTION_LOG_COLUMNS]);
      expect(rows.filter((r) => r.fields[0] === 'timestamp')).toHaveLength(1);
      expect(rows.length).toBeGreaterThan(1);
      // a file is rotated once it reaches the limit: it holds at most one line past it
      const lastLine = Buffer.byteLength(readFileSync(f, 'utf8').split('\r\n').slice(-2)[0]) + 2;
      expect(statSync(f).size - lastLine).toBeLessThan(maxBytes);
    }
    const rotated = files.slice(0, -1).map((f) => f.slice(dir.length + 1));
    for (const name of rotated) expect(name).toMatch(/^execution_log\.\d{8}T\d{9}Z(-\d+)?\.csv$/);
    expect(rotated[0]).toMatch(/^execution_log\.20260309T13300\d{4}Z\.csv$/);
  });

  it('never overwrites an existing rotated file and keeps order when the clock stands still or goes back', () => {
    const dir = tmp();
    let now = T0;
    const log = logIn(dir, { maxBytes: 1, clock: () => now });
    // a stranger already holds the name the first rotation would pick
    const squatter = join(dir, 'execution_log.20260309T133000000Z.csv');
    writeFileSync(squatter, 'do not touch\r\n');
    for (let i = 0; i < 5; i++) log.append({ event: 'SIGNAL', qty: i }); // same instant
    now = T0 - 60_000; // clock steps back a minute
    for (let i = 5; i < 8; i++) log.append({ event: 'SIGNAL', qty: i });
    expect(readFileSync(squatter, 'utf8')).toBe('do not touch\r\n');
    const names = readdirSync(dir).sort();
    expect(names).toContain('execution_log.20260309T133000000Z-1.csv');
    expect(names).toContain('execution_log.20260309T133000000Z-7.csv');
    expect(readExecutionLog(dir).map((r) => r.qty)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
