/**
 * Issue 9 acceptance: `atlas init`, then a backtest of the starter strategy with a report, then a
 * sweep of it with --save-best, then a dry-run rebalance of the saved file: the plan uses exactly
 * the swept parameters and shows the same content hash the sweep printed for its winner. The
 * sweep runs through the real binary (its worker threads load compiled JavaScript, as in
 * test/security/secretsCanary.test.ts; `npm test` builds dist/ first); everything else runs
 * in-process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStrategyFile } from '../../src/strategy/index.js';
import { writeDemoStore } from '../backtest/demoStore.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { runAtlas } from '../support/cli.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const CLOCK = '2010-12-31T22:00:00Z';

describe('strategy file: init -> backtest -> sweep --save-best -> rebalance --dry-run', () => {
  it('the plan trades exactly the swept winner, with the same content hash', async () => {
    const dir = tmp();
    const data = join(dir, 'store');
    writeDemoStore(data);
    const file = join(dir, 'atlas.strategy.json');
    const init = await atlasInProcess(['init', '--path', file]);
    expect(init.code, init.stderr).toBe(0);

    const report = join(dir, 'r.html');
    const bt = await atlasInProcess(['--data-dir', data, 'backtest', '--strategy', file, '--report', report, '--json']);
    expect(bt.code, bt.stderr).toBe(0);
    const base = loadStrategyFile(file);
    const btJson = JSON.parse(bt.stdout);
    expect(btJson.strategy.hash).toBe(base.hash);
    expect(btJson.settings.strategyHash).toBe(base.hash.slice(0, 12));
    expect(readFileSync(report, 'utf8')).toContain(base.hash.slice(0, 12));

    const grid = join(dir, 'g.json');
    writeFileSync(grid, JSON.stringify({ topN: [3, 5], minDistance: [0.85, 0.9], volumeFilter: [false, true] }));
    const best = join(dir, 'best.json');
    const sw = await runAtlas(['--data-dir', data, 'sweep', '--strategy', file, '--grid', grid, '--from', '2005-01-03', '--workers', '1', '--save-best', best, '--json']);
    expect(sw.code, sw.stderr).toBe(0);
    const sweep = JSON.parse(sw.stdout);
    expect(sweep.results).toHaveLength(8);
    expect(new Set(sweep.results.map((r: { strategyHash: string }) => r.strategyHash)).size).toBe(8);
    const winner = sweep.results[0];
    expect(sweep.best.hash).toBe(winner.strategyHash);

    // The saved file is the base strategy with the winner's grid values, and hashes to the printed hash.
    const saved = loadStrategyFile(best);
    expect(saved.hash).toBe(winner.strategyHash);
    expect(saved.strategy.scanner).toMatchObject({ topN: winner.values.topN, minDistance: winner.values.minDistance, volumeFilter: winner.values.volumeFilter });
    expect({ ...saved.strategy, scanner: base.strategy.scanner }).toEqual({ ...base.strategy });

    process.env.ATLAS_CLOCK = CLOCK;
    try {
      const plan = await atlasInProcess(['--data-dir', data, 'rebalance', '--strategy', best, '--dry-run', '--force', '--account', 'ACCEPT']);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toContain(`content hash ${winner.strategyHash}`);
      expect(plan.stdout).toContain(`top ${winner.values.topN}, min distance ${winner.values.minDistance}`);
      expect(plan.stdout).toContain(`volume filter ${winner.values.volumeFilter ? 'on' : 'off'}`);
      const j = JSON.parse((await atlasInProcess(['--data-dir', data, 'rebalance', '--strategy', best, '--dry-run', '--force', '--account', 'ACCEPT', '--json'])).stdout);
      expect(j.strategy.hash).toBe(winner.strategyHash);
      expect(j.signal.topN).toBe(winner.values.topN);
      // Every selected name passed the swept minimum distance.
      for (const row of j.signal.scan.filter((r: { selected: boolean }) => r.selected)) expect(row.distance).toBeGreaterThanOrEqual(winner.values.minDistance);
      // The audit trail's RUN_START line carries the hash.
      const audit = readFileSync(join(data, 'execution_log.csv'), 'utf8');
      expect(audit.split('\n').filter((l) => l.includes('RUN_START') && l.includes(winner.strategyHash))).not.toHaveLength(0);
    } finally {
      delete process.env.ATLAS_CLOCK;
    }
  }, 240_000);

  it('old flag spellings still work for one version, with a note', async () => {
    const dir = tmp();
    const data = join(dir, 'store');
    writeDemoStore(data);
    const bt = await atlasInProcess(['--data-dir', data, 'backtest', '--universe', 'technology', '--regime', 'off', '--top-n', '3', '--json']);
    expect(bt.code, bt.stderr).toBe(0);
    expect(bt.stderr).toMatch(/--regime <mode> is deprecated .* use --regime-mode/);
    expect(JSON.parse(bt.stdout).strategies.map((s: { name: string }) => s.name)).toEqual(['baseline']);
    process.env.ATLAS_CLOCK = CLOCK;
    try {
      const rb = await atlasInProcess(['--data-dir', data, 'rebalance', '--universe', 'technology', '--top-n', '3', '--regime', 'TREND_NEUTRAL', '--dry-run', '--force', '--json']);
      expect(rb.code, rb.stderr).toBe(0);
      expect(rb.stderr).toMatch(/--regime <label> is deprecated .* use --regime-override/);
      expect(JSON.parse(rb.stdout).signal.regime).toBe('TREND_NEUTRAL');
      // Fields the rebalance did not take before (issue 9: "unknown option").
      const ok = await atlasInProcess(['--data-dir', data, 'rebalance', '--min-distance', '0.85', '--volume-filter', '--regime-params', '{"vixFloor":null}', '--dry-run', '--force', '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).strategy.settings.scanner).toMatchObject({ minDistance: 0.85, volumeFilter: true });
    } finally {
      delete process.env.ATLAS_CLOCK;
    }
  }, 120_000);
});
