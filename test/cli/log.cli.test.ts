import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { ManualClock } from '../../src/core/clock.js';
import { EXECUTION_LOG_FILE, ExecutionLog } from '../../src/execution/audit/index.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

/** Runs the real command parser in-process, capturing stdout and stderr. */
async function atlas(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Output = { out: (t) => out.push(t), note: (t) => err.push(t), isTTY: false };
  const code = await main(['node', 'atlas', ...args], io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

function trail(lines: number): { dir: string; path: string } {
  const dir = tmp();
  const clock = new ManualClock('2026-03-09T14:30:00Z');
  const log = new ExecutionLog({ dir, runId: '20260309-3f9a0c1e', broker: 'paper', clock: () => (clock.advance(1000), clock.now()) });
  log.runStart({ mode: 'paper' });
  for (let i = 1; i < lines - 1; i++) log.orderSubmitted({ symbol: 'AAPL', side: 'buy', qty: i, clientOrderId: `c-${i}` });
  log.runEnd({ orders: lines - 2 });
  return { dir, path: join(dir, EXECUTION_LOG_FILE) };
}

function offsetOfLine(path: string, line: number): number {
  const lines = readFileSync(path, 'utf8').split('\r\n');
  return lines.slice(0, line - 1).reduce((n, l) => n + Buffer.byteLength(l) + 2, 0);
}

describe('atlas log verify', () => {
  it('passes an intact trail with exit 0 and prints the head hash', async () => {
    const { dir } = trail(4);
    const r = await atlas(['--data-dir', dir, 'log', 'verify']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Audit trail intact: 4 chained line\(s\) in 1 file\(s\)\.\nHead hash: [0-9a-f]{64}$/);
    const j = await atlas(['--data-dir', dir, 'log', 'verify', '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, records: 4, problems: [], firstProblem: null, files: [EXECUTION_LOG_FILE] });
  });

  it('names the altered line (file, line, byte) and exits 1, also as JSON', async () => {
    const { dir, path } = trail(5);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace(',buy,2,', ',buy,200,'));
    const at = offsetOfLine(path, 4);
    const r = await atlas(['--data-dir', dir, 'log', 'verify']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(`Audit trail DAMAGED: ${EXECUTION_LOG_FILE} line 4 (byte ${at}) was altered: its content no longer matches its hash.`);
    const j = await atlas(['--data-dir', dir, 'log', 'verify', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).firstProblem).toMatchObject({ kind: 'altered', file: EXECUTION_LOG_FILE, line: 4, offset: at });
  });

  it('catches a cut end with --head, and refuses a malformed --head in one sentence', async () => {
    const { dir, path } = trail(4);
    const head = JSON.parse((await atlas(['--data-dir', dir, 'log', 'verify', '--json'])).stdout).head as string;
    truncateSync(path, offsetOfLine(path, 5));
    expect((await atlas(['--data-dir', dir, 'log', 'verify'])).code).toBe(0);
    const r = await atlas(['--data-dir', dir, 'log', 'verify', '--head', head]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`No line has the head hash ${head}`);
    const bad = await atlas(['--data-dir', dir, 'log', 'verify', '--head', 'xyz']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('atlas: --head must be the 64-character hex hash printed by `atlas log verify`, got "xyz".');
  });

  it('says there is nothing to verify in an empty data directory', async () => {
    const r = await atlas(['--data-dir', tmp(), 'log', 'verify']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No execution log in .* yet: nothing to verify\.$/);
  });
});

describe('atlas log with a torn line', () => {
  it('shows every other event and warns about the torn one with its byte offset', async () => {
    const { dir, path } = trail(5);
    const at = offsetOfLine(path, 6);
    truncateSync(path, at + 30); // the RUN_END line cut after 30 bytes
    const r = await atlas(['--data-dir', dir, 'log', '--run', '20260309-3f9a0c1e']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/ORDER_SUBMITTED/g)).toHaveLength(3);
    expect(r.stdout).toContain('RUN_START');
    expect(r.stderr).toContain(`warning: ${EXECUTION_LOG_FILE} line 6 (byte ${at}) is torn (cut short)`);
    expect(r.stderr).toContain('atlas log verify');
    const v = await atlas(['--data-dir', dir, 'log', 'verify', '--json']);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout).firstProblem).toMatchObject({ kind: 'torn', line: 6, offset: at });
  });
});

describe('store failures are one sentence, not "unexpected error"', () => {
  it('a file that is not a database', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'atlas.sqlite'), 'this is not an SQLite file at all, just some text that is long enough'.repeat(20));
    const r = await atlas(['--data-dir', dir, 'data', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `atlas: ${join(dir, 'atlas.sqlite')} is damaged or is not an Atlas store (SQLITE_NOTADB); restore it from a backup, or move it aside and rebuild it with \`atlas data import\` or \`atlas data sync\`.`,
    );
  });

  it('a directory where the store should be', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'atlas.sqlite'));
    const r = await atlas(['--data-dir', dir, 'data', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^atlas: .*atlas\.sqlite is a directory where Atlas expects a file \(EISDIR\); move that directory away or choose another data directory with --data-dir\.$/);
  });
});
