import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv/parseCsv.js';
import { EXECUTION_LOG_COLUMNS, executionLogFiles, readExecutionLog, verifyExecutionLog } from '../../src/execution/audit/executionLog.js';
import { nodeScript } from '../support/nodeScript.js';

const worker = fileURLToPath(new URL('./appendWorker.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeScript(worker), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

describe('execution log: several processes appending at once', () => {
  it('keeps every line exactly once, one header per file, no torn lines, under rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-audit-mp-'));
    dirs.push(dir);
    const workers = 4;
    const n = 150;
    const maxBytes = 2_000; // a rotation every ~8 lines
    await Promise.all(Array.from({ length: workers }, (_, w) => run([dir, String(w), String(n), String(maxBytes)])));

    const records = readExecutionLog(dir, { strict: true });
    expect(records).toHaveLength(workers * n);
    const ids = records.map((r) => r.clientOrderId);
    expect(new Set(ids).size).toBe(workers * n);
    for (let w = 0; w < workers; w++) {
      const mine = records.filter((r) => r.runId === `worker-${w}`);
      // each process's lines appear in the order it wrote them
      expect(mine.map((r) => r.qty)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(mine.every((r, i) => r.reason === `worker ${w} line ${i}, "quoted", with a comma\nand a newline; key [REDACTED]`)).toBe(true);
    }

    // stamped under the lock: file order is time order across processes
    const times = records.map((r) => Date.parse(r.timestamp));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
    expect(records.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[45]:00$/.test(r.timestamp))).toBe(true);

    const files = executionLogFiles(dir);
    expect(files.length).toBeGreaterThan(10);
    let lineTotal = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text.endsWith('\r\n'), f).toBe(true);
      expect(text).not.toContain('hunter2-secret');
      const rows = parseCsv(text);
      expect(rows[0].fields).toEqual([...EXECUTION_LOG_COLUMNS]);
      expect(rows.filter((r) => r.fields[0] === 'timestamp')).toHaveLength(1);
      for (const r of rows) expect(r.fields).toHaveLength(EXECUTION_LOG_COLUMNS.length);
      lineTotal += rows.length - 1;
    }
    expect(lineTotal).toBe(workers * n);
    // one unbroken hash chain through every file, whichever process wrote each line
    const report = verifyExecutionLog(dir);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, records: workers * n, legacyRecords: 0 });
    expect(report.head).toBe(records[records.length - 1].hash);
    // the lock is released and nothing is left behind
    expect(readdirSync(dir).filter((f) => !f.endsWith('.csv'))).toEqual([]);
  }, 60_000);
});
