import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atlasInProcess } from '../support/cliInProcess.js';
import { copyDemoStore } from '../support/demoFixture.js';

let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-regime-compare-'));
  await copyDemoStore(join(dir, 'store')); // what `atlas data demo` writes, built once (test/support/demoFixture.ts)
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const atlas = (...args: string[]) => atlasInProcess(['--data-dir', join(dir, 'store'), ...args]);

describe('atlas regime compare and --regime-model (real command parser, demo market)', () => {
  it('compare --json: in-sample and hold-out per model, the number of models on the hold-out', async () => {
    const r = await atlas('regime', 'compare', '--models', 'seed,jm-online,sma200', '--holdout-from', '2015-01-01', '--bootstrap-samples', '100', '--json');
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.models.map((m: { model: string }) => m.model)).toEqual(['seed', 'jm-online', 'sma200']);
    expect(c.modelsComparedOnHoldout).toBe(3);
    expect(c.costBps).toBe(5);
    for (const m of c.models) {
      expect(m.inSample.to < '2015-01-01').toBe(true);
      expect(m.holdout.from >= '2015-01-01').toBe(true);
      expect(m.holdout.sharpeDiffCI90).toHaveLength(2);
      expect(Object.keys(m.holdout.daysPerLabel)).toEqual(['TREND_BULL', 'TREND_NEUTRAL', 'TREND_BEAR', 'CRASH', 'none']);
      expect(m.march2020.sessions).toBe(22);
    }
  }, 120_000);

  it('compare prints the tables; a bad model name is one sentence', async () => {
    const r = await atlas('regime', 'compare', '--models', 'seed,sma10m', '--walk-forward', '--bootstrap-samples', '50');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Whole period: 2004-|Whole period: 2000-/);
    expect(r.stdout).toMatch(/No hold-out/);
    const bad = await atlas('regime', 'compare', '--models', 'seed,nope');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--models must be one of seed, jm-online, jm-vote, sma200, sma10m, got "nope"/);
  }, 120_000);

  it('atlas regime --regime-model jm-vote shows the vote count; history follows the model', async () => {
    const r = await atlas('regime', '--as-of', '2008-10-10', '--regime-model', 'jm-vote', '--json');
    expect(r.code, r.stderr).toBe(0);
    const why = JSON.parse(r.stdout);
    expect(why.model).toBe('jm-vote');
    expect(why.votes.of).toBe(8);
    expect(why.votes.bull).toBeGreaterThanOrEqual(0);
    const h = await atlas('regime', 'history', '--from', '2020-03-02', '--to', '2020-03-06', '--regime-model', 'sma200', '--json');
    expect(h.code, h.stderr).toBe(0);
    for (const row of JSON.parse(h.stdout)) expect([0, 1]).toContain(row.allocation); // two-level map
  }, 120_000);

  it('atlas backtest --regime-model runs the model with the strategy allocation and records it in the settings', async () => {
    // The strategy's allocation matrix sizes every model: the two-level map is --allocation 1,1,0,0.
    const r = await atlas('backtest', '--universe', 'technology', '--regime-mode', 'rebalance', '--regime-model', 'sma10m', '--allocation', '1,1,0,0', '--from', '2010-01-01', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.settings.regimeModel).toBe('sma10m');
    for (const rb of out.strategies[0].rebalances) if (rb.allocation !== null && rb.allocation !== undefined) expect([0, 1]).toContain(rb.allocation);
  }, 120_000);
});
