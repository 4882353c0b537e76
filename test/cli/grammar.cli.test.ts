/**
 * One CLI grammar (issue 9), human output: money and prices to the cent, shares to their
 * precision, and one table style (core/format.ts) in every command that prints a table.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmt, table } from '../../src/core/format.js';
import { ExecutionLog } from '../../src/execution/audit/executionLog.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { copyDemoStore } from '../support/demoFixture.js';

/** The first line of a table in the one style (cli-table3's top border). */
const TOP = /^┌─+┬/m;
/** The hand-made style it replaced: a header underlined with dashes ("----  ----"). */
const DASHES = /^-{2,}( {2}-+)+\s*$/m;

describe('fmt', () => {
  it('rounds money and prices to cents and shares to their precision', () => {
    expect(fmt.price(114.85739999999998)).toBe('114.86');
    expect(fmt.money(114.85739999999998)).toBe('$114.86');
    expect(fmt.money(-1234.5)).toBe('-$1,234.50');
    expect(fmt.shares(10)).toBe('10');
    expect(fmt.shares(0.1 + 0.2)).toBe('0.3');
    expect(fmt.shares(1.23456789)).toBe('1.234568');
    expect(fmt.price(null)).toBe('-');
    expect(fmt.shares(Number.NaN)).toBe('-');
  });

  it('tables are cli-table3 boxes, numbers right-aligned', () => {
    const t = table(['symbol', 'qty'], [['AAPL', '5'], ['MSFT', '10']]);
    expect(t).toMatch(TOP);
    expect(t.split('\n')[2]).toBe('│ AAPL   │   5 │');
  });
});

describe('human output of the commands', () => {
  let dir = '';
  let store = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atlas-grammar-'));
    store = await copyDemoStore(join(dir, 'store'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('atlas log prints fill prices to the cent and fractional shares without float noise, in the one table style', async () => {
    const logDir = join(dir, 'log');
    const log = new ExecutionLog({ dir: logDir, runId: '20240102-0a1b2c3d', account: 'LARGE', broker: 'paper', clock: () => Date.parse('2024-01-02T15:00:00Z') });
    log.orderFilled({ symbol: 'AAPL', side: 'buy', qty: 3, orderId: 'o-1', fillPrice: 114.85739999999998, fillQty: 3, status: 'filled' });
    log.orderFilled({ symbol: 'MSFT', side: 'buy', qty: 1, orderId: 'o-2', fillPrice: 300.1, fillQty: 0.1 + 0.2, partial: true });
    const r = await atlasInProcess(['--data-dir', logDir, 'log']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/AAPL.*\b114\.86\b/);
    expect(r.stdout).not.toMatch(/114\.857/);
    expect(r.stdout).toMatch(/MSFT.*\b0\.3\b.*\b300\.10\b/);
    expect(r.stdout).not.toMatch(/0\.30000000000000004/);
    expect(r.stdout).toMatch(TOP);
    expect(r.stdout).not.toMatch(DASHES);
  });

  it('the rebalance plan uses the same table style as atlas scan', async () => {
    const env = { ATLAS_CLOCK: '2024-12-31T22:00:00Z' };
    const scan = await atlasInProcess(['--data-dir', store, 'scan', '--universe', 'technology'], { env });
    expect(scan.stdout).toMatch(TOP);
    const plan = await atlasInProcess(['--data-dir', store, 'rebalance', '--universe', 'technology', '--top-n', '3', '--dry-run', '--force'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/DRY RUN/);
    expect(plan.stdout.match(new RegExp(TOP.source, 'gm'))?.length ?? 0).toBeGreaterThanOrEqual(2); // scanner and orders
    expect(plan.stdout).not.toMatch(DASHES);
    // Sizing prices are cents: no price cell carries more than two decimals.
    expect(plan.stdout).not.toMatch(/│ *\d+\.\d{3,} *│/);
  });

  it('exports take --out FILE with the format from the extension; the old flags still work with a one-line note', async () => {
    const f = (name: string) => join(dir, name);
    const bt = ['--data-dir', store, 'backtest', '--universe', 'technology', '--top-n', '3', '--from', '2010-01-04', '--to', '2011-12-30', '--regime-mode', 'off'];
    const r = await atlasInProcess([...bt, '--out', f('bt.html'), '--out', f('bt.csv'), '--out', f('bt.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(f('bt.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expect(readFileSync(f('bt.csv'), 'utf8').split('\r\n')[0]).toBe('strategy,date,symbol,side,intent,qty,price,notional,commission,slippage,cost');
    expect(JSON.parse(readFileSync(f('bt.json'), 'utf8')).strategies[0].name).toBe('baseline');
    expect(r.stderr).not.toMatch(/deprecated/);

    const old = await atlasInProcess([...bt, '--report', f('old.html'), '--trades', f('old.csv')]);
    expect(old.code, old.stderr).toBe(0);
    expect(existsSync(f('old.html')) && existsSync(f('old.csv'))).toBe(true);
    expect(old.stderr.match(/^note: --report is deprecated.*use --out .*old\.html/gm)).toHaveLength(1);
    expect(old.stderr.match(/^note: --trades is deprecated.*use --out .*old\.csv/gm)).toHaveLength(1);

    const bad = await atlasInProcess([...bt, '--out', f('bt.txt')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^atlas: --out .*bt\.txt: the format comes from the extension and this command writes \.html, \.csv, \.json; rename the file\.$/);

    const hist = ['--data-dir', store, 'regime', 'history', '--from', '2020-03-02', '--to', '2020-03-06'];
    expect((await atlasInProcess([...hist, '--out', f('h.csv'), '--out', f('h.json')])).code).toBe(0);
    expect(readFileSync(f('h.csv'), 'utf8').trim().split('\r\n')).toHaveLength(6);
    expect(JSON.parse(readFileSync(f('h.json'), 'utf8'))).toHaveLength(5);
    const histOld = await atlasInProcess([...hist, '--csv', f('h2.csv')]);
    expect(histOld.stderr).toMatch(/^note: --csv is deprecated/m);
    expect(readFileSync(f('h2.csv'), 'utf8')).toBe(readFileSync(f('h.csv'), 'utf8'));

    const grid = f('grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [3, 5], regimeMode: ['off'] }));
    const sw = await atlasInProcess(['--data-dir', store, 'sweep', '--universe', 'technology', '--grid', grid, '--from', '2010-01-04', '--to', '2011-12-30', '--workers', '0', '--out', f('s.csv'), '--out', f('s.json')]);
    expect(sw.code, sw.stderr).toBe(0);
    expect(JSON.parse(readFileSync(f('s.json'), 'utf8')).results).toHaveLength(2);
    expect(readFileSync(f('s.csv'), 'utf8').split('\r\n')[0]).toMatch(/^rank,strategyHash,topN/);
  }, 120_000);

  it('a date before the data is one sentence and exit 1 on every command that takes one', async () => {
    const grid = join(dir, 'grid-dates.json');
    writeFileSync(grid, JSON.stringify({ topN: [3] }));
    const early = '1999-06-01';
    const runs: [string, string[]][] = [
      ['--as-of', ['scan', '--universe', 'technology', '--as-of', early]],
      ['--as-of', ['regime', '--as-of', early]],
      ['--as-of', ['data', 'check', '--as-of', early]],
      ['--from', ['regime', 'history', '--from', early, '--to', '2001-01-02']],
      ['--from', ['regime', 'validate', '--from', early, '--to', '2001-01-02']],
      ['--from', ['regime', 'evaluate', '--from', early, '--to', '2008-01-02']],
      ['--from', ['regime', 'compare', '--models', 'seed,sma200', '--from', early]],
      ['--from', ['backtest', '--universe', 'technology', '--from', early]],
      ['--from', ['sweep', '--universe', 'technology', '--grid', grid, '--from', early, '--workers', '0']],
      ['--from', ['walkforward', '--universe', 'technology', '--grid', grid, '--from', early, '--workers', '0']],
      ['--from', ['replay', '--strategy', join(dir, 'none.json'), '--from', early, '--to', '2001-01-02']],
      ['--at', ['run', '--once', '--at', `${early}T21:00:00Z`]],
    ];
    for (const [flag, args] of runs) {
      const r = await atlasInProcess(['--data-dir', store, ...args]);
      const what = `atlas ${args.join(' ')}: ${r.stderr}`;
      expect(r.code, what).toBe(1);
      expect(r.stdout, what).toBe('');
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('atlas:'));
      expect(errors, what).toEqual([`atlas: ${flag} ${flag === '--at' ? `${early}T21:00:00.000Z` : early} is before the data: the first bar in the store is 2000-01-03; use a date on or after it.`]);
    }
    // A weekend or holiday just before the first session is not before the data.
    const weekend = await atlasInProcess(['--data-dir', store, 'data', 'check', '--symbols', 'SPY', '--as-of', '2000-01-01', '--json']);
    expect(weekend.code, weekend.stderr).toBe(0);
  }, 120_000);
});
