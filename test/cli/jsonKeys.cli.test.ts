/**
 * One CLI grammar (issue 9): every command's --json output on the demo store uses camelCase keys.
 * Maps keyed by data (symbols, regimes, dates, years) are the only exception, and are recognised
 * by the shape of their keys, never by a list of allowed names.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atlasInProcess } from '../support/cliInProcess.js';
import { copyDemoStore, demoFixture } from '../support/demoFixture.js';
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;
/** A key that is data, not a field name: a ticker or an enum value (AAPL, BRK.B, TREND_BULL), a date or a year. */
const DATA_KEY = /^([A-Z][A-Z0-9._-]*|\d{4}(-\d{2}(-\d{2})?)?)$/;

/** Every key of `value` that is neither camelCase nor data, as "path.key". */
export function badKeys(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => badKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!CAMEL.test(k) && !DATA_KEY.test(k)) out.push(`${path}.${k}`);
    out.push(...badKeys(v, `${path}.${k}`));
  }
  return out;
}

describe('badKeys', () => {
  it('flags spaces, snake_case and capitalised field names, and accepts symbol, regime and date maps', () => {
    expect(badKeys({ topN: 1, 'top N': 2, nested: [{ client_order_id: 'x', Sharpe: 1 }] })).toEqual(['$.top N', '$.nested[0].client_order_id', '$.nested[0].Sharpe']);
    expect(badKeys({ weights: { AAPL: 0.1, 'BRK.B': 0.2 }, counts: { TREND_BULL: 3 }, byYear: { 2008: {}, '2020-03-02': 1 } })).toEqual([]);
  });
});

describe('every --json output on the demo store has camelCase keys', () => {
  let dir = '';
  let store = '';
  const outputs: { args: string[]; code: number; value: unknown }[] = [];
  const run = async (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) => {
    const r = await atlasInProcess(['--data-dir', store, ...args], opts);
    expect(r.code, `atlas ${args.join(' ')}: ${r.stderr}`).toBe(0);
    outputs.push({ args, code: r.code, value: JSON.parse(r.stdout) });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atlas-json-keys-'));
    store = join(dir, 'store');
    const fixture = await demoFixture(); // `atlas data demo --json`, run once and cached
    outputs.push({ args: ['data', 'demo', '--json'], code: 0, value: JSON.parse(fixture.json) });
    await copyDemoStore(store);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('data, regime, scan, backtest, sweep, walkforward', async () => {
    const csv = join(dir, 'csv');
    mkdirSync(csv);
    writeFileSync(join(csv, 'ZZZ.csv'), 'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,11,9,10.5,10.5,100\n2024-01-03,10,11,9,10,10,100\n');
    await run(['data', 'import', csv, '--json']);
    await run(['data', 'list', '--json']);
    await run(['data', 'check', '--symbols', 'SPY,AAPL', '--json']);
    await run(['regime', '--json']);
    await run(['regime', 'history', '--from', '2020-03-02', '--to', '2020-03-06', '--json']);
    await run(['regime', 'validate', '--from', '2008-01-01', '--to', '2009-12-31', '--json']);
    await run(['regime', 'evaluate', '--from', '2010-01-01', '--to', '2012-12-31', '--json']);
    await run(['regime', 'compare', '--models', 'seed,sma200', '--from', '2010-01-01', '--to', '2012-12-31', '--bootstrap-samples', '20', '--json']);
    await run(['scan', '--universe', 'technology', '--json']);
    await run(['backtest', '--universe', 'technology', '--from', '2010-01-01', '--to', '2012-12-31', '--regime', 'compare', '--json']);
    const grid = join(dir, 'grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [3, 5], regimeMode: ['off'] }));
    await run(['sweep', '--universe', 'technology', '--grid', grid, '--from', '2010-01-01', '--to', '2012-12-31', '--workers', '0', '--json']);
    await run(['walkforward', '--universe', 'technology', '--grid', grid, '--from', '2008-01-01', '--to', '2012-12-31', '--train', '2y', '--test', '1y', '--max-windows', '1', '--workers', '0', '--json']);
  }, 120_000);

  it('accounts, rebalance, log, status, schedule, init', async () => {
    // The demo's last bar is 2024-12-31: act the session after, where the data is current.
    const env = { ATLAS_CLOCK: '2024-12-31T22:00:00Z' };
    await run(['paper', 'reset', '--account', 'LARGE', '--cash', '100000', '--yes', '--json'], { env });
    await run(['paper', 'drills', '--account', 'LARGE', '--json'], { env });
    await run(['account', '--json'], { env });
    await run(['positions', '--json'], { env });
    await run(['orders', '--status', 'all', '--json'], { env });
    await run(['rebalance', '--universe', 'technology', '--top-n', '3', '--dry-run', '--force', '--json'], { env });
    await run(['log', '--json'], { env });
    await run(['log', 'verify', '--json'], { env });
    await run(['status', '--json'], { env });
    const cwd = join(dir, 'init');
    mkdirSync(cwd);
    await run(['init', '--json'], { cwd, env });
    await run(['schedule', '--strategy', join(cwd, 'atlas.strategy.json'), '--json'], { env });
  }, 120_000);

  it('found no key outside camelCase', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(24);
    const bad = outputs.flatMap((o) => badKeys(o.value).map((k) => `atlas ${o.args.join(' ')}: ${k}`));
    expect(bad).toEqual([]);
  });
});
