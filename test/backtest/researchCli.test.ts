import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { writeDemoStore } from './demoStore.js';

async function atlas(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => void (stdout += t + '\n'), note: (t: string) => void (stderr += t + '\n'), isTTY: false };
  const code = await main(['node', 'atlas', ...args], io);
  return { code, stdout, stderr };
}

/** `atlas sweep` and `atlas walkforward` through the real command parser on the demo market. */
describe('research commands report how much of the best result is luck', () => {
  let dir = '';
  let grid = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'atlas-research-cli-'));
    writeDemoStore(dir);
    grid = join(dir, 'grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [5, 10], minDistance: [0.85, 0.95], rebalance: ['quarterly'], regimeMode: ['off', 'daily'] }));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('atlas sweep --json carries the deflated Sharpe ratio, PBO and timing luck', async () => {
    const t = await atlas(['--data-dir', dir, 'sweep', '--universe', 'technology', '--grid', grid, '--from', '2004-01-02', '--workers', '1', '--json']);
    expect(t.code).toBe(0);
    const j = JSON.parse(t.stdout);
    expect(j.results).toHaveLength(8);
    expect(j.overfitting.deflatedSharpe).toMatchObject({ trials: 8 });
    expect(j.overfitting.deflatedSharpe.dsr).toBeGreaterThanOrEqual(0);
    expect(j.overfitting.pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(j.overfitting.pbo.pbo).toBeLessThanOrEqual(1);
    expect(j.timingLuck.offsets.length).toBeGreaterThan(10);
    const text = await atlas(['--data-dir', dir, 'sweep', '--universe', 'technology', '--grid', grid, '--from', '2004-01-02', '--workers', '0']);
    expect(text.stdout).toMatch(/Deflated Sharpe ratio of the best \(top \d+, 0\.\d+, quarterly, regime (off|daily), strategy [0-9a-f]{12}\): \d\.\d{3}/);
    expect(text.stdout).toMatch(/Probability of backtest overfitting: \d+\.\d%/);
    expect(text.stdout).toMatch(/Rebalance timing luck/);
  }, 120_000);

  it('atlas walkforward: windows, stitched out-of-sample result, DSR and PBO', async () => {
    const t = await atlas(['--data-dir', dir, 'walkforward', '--universe', 'technology', '--grid', grid, '--train', '3y', '--test', '1y', '--from', '2004-01-02', '--workers', '0', '--json']);
    expect(t.code).toBe(0);
    const j = JSON.parse(t.stdout);
    // 2004-01-02 + 3 years: test windows start in January 2007, 2008, 2009 and 2010.
    expect(j.windows.map((w: { testFrom: string }) => w.testFrom.slice(0, 7))).toEqual(['2007-01', '2008-01', '2009-01', '2010-01']);
    expect(j.windows[1].trainFrom.slice(0, 7)).toBe('2005-01');
    expect(j.overfitting.deflatedSharpe.trials).toBe(8);
    expect(j.overfitting.pbo).not.toBeNull();
    expect(j.outOfSampleDeflatedSharpe.trials).toBe(8);
    expect(j.stitched.equity[0]).toBe(1);
    expect(j.stability.modalShare).toBeGreaterThan(0);
    const text = await atlas(['--data-dir', dir, 'walkforward', '--universe', 'technology', '--grid', grid, '--train', '3y', '--test', '1y', '--from', '2004-01-02', '--anchored', '--objective', 'cagr', '--workers', '0']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Walk-forward: 4 windows, anchored 36-month training, 12-month test, 8 configurations, best by cagr/);
    expect(text.stdout).toMatch(/Degradation: mean in-sample cagr/);
    const bad = await atlas(['--data-dir', dir, 'walkforward', '--universe', 'technology', '--grid', grid, '--objective', 'sortino']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--objective must be one of sharpe, calmar, cagr/);
  }, 120_000);
});
