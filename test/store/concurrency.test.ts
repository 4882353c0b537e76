import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/data/store/database.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { useTempDirs } from '../support/tmp.js';
import { nodeScript } from '../support/nodeScript.js';

const tmp = useTempDirs();
const worker = fileURLToPath(new URL('./fixtures/storeWorker.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeScript(worker), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('several Atlas processes on one store', () => {
  it('two writers and two readers run at once without "database is locked"', async () => {
    const dir = tmp();
    openDatabase(dir).close();
    const results = await Promise.all([
      run(['write', dir, 'AAA', '15']),
      run(['write', dir, 'BBB', '15']),
      run(['read', dir, '', '40']),
      run(['read', dir, '', '40']),
    ]);
    for (const r of results) expect(r.stderr, r.stderr).not.toMatch(/locked|torn|Error/);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const store = new BarStore(openDatabase(dir));
    expect(store.listSymbols().map((s) => [s.symbol, s.barCount])).toEqual([['AAA', 1500], ['BBB', 1500]]);
    expect(store.getBars('AAA').at(-1)?.volume).toBe(14);
  }, 60_000);
});
