import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/data/store/database.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { runAtlas } from '../support/cli.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { REAL_DATA_SKIP_MESSAGE, realDataDir } from '../support/realData.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

describe('atlas CLI basics', () => {
  // The real binary (dist/) for two smoke tests: it starts, prints help, and exits non-zero on a bad flag.
  it('--help lists every command with examples', async () => {
    const r = await runAtlas(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['demo', 'data']) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('Examples:');
    // The subcommands' help through the same parser, in-process (one real start-up is enough here).
    const d = await atlasInProcess(['data', '--help']);
    for (const c of ['import', 'list', 'check', 'sync', 'demo']) expect(d.stdout).toContain(c);
    const s = await atlasInProcess(['data', 'sync', '--help']);
    expect(s.stdout).toMatch(/--provider <name>/);
    expect(s.stdout).toMatch(/\$ atlas data sync --symbols SPY,VIX,AAPL/);
  });

  it('a wrong flag gets one clear line and a non-zero exit', async () => {
    const r = await runAtlas(['data', 'list', '--jsn']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown option '--jsn'/);
    expect(r.stderr).toMatch(/Did you mean --json\?/);
  });

  it('every command and subcommand has --help with examples', async () => {
    const top = await atlasInProcess(['--help']);
    const commands = [
      'demo', 'data import', 'data list', 'data check', 'data sync', 'data demo', 'regime now', 'regime history',
      'regime validate', 'regime evaluate', 'scan', 'backtest', 'sweep', 'rebalance', 'account', 'positions', 'orders',
      'paper reset', 'paper drills', 'log',
    ];
    for (const c of new Set(commands.map((x) => x.split(' ')[0]))) expect(top.stdout, c).toMatch(new RegExp(`\\n  ${c}\\b`));
    const helps = [];
    for (const c of commands) helps.push(await atlasInProcess([...c.split(' '), '--help']));
    helps.forEach((h, i) => {
      expect(h.code, commands[i]).toBe(0);
      expect(h.stdout, commands[i]).toMatch(/Examples?:?\n\s+\$ /);
      expect(h.stdout, commands[i]).toMatch(/\$ (npx )?atlas /);
    });
  }, 60_000);

  it('a malformed environment variable is named, and its value is not echoed', async () => {
    const dir = tmp();
    const r = await atlasInProcess(['--data-dir', dir, 'data', 'list'], { env: { TIINGO_API_KEY: 'bad key with spaces' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^atlas: Environment variable TIINGO_API_KEY is malformed/);
    expect(r.stderr).not.toContain('bad key with spaces');
  });

  it('an unwritable data directory is one sentence, not a stack trace', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f'), '');
    const r = await atlasInProcess(['--data-dir', join(dir, 'f', 'x'), 'data', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is not writable/);
  });

  it('uses --data-dir, then ATLAS_HOME, then ./.atlas', async () => {
    const cwd = tmp();
    const home = join(cwd, 'home');
    const r1 = await atlasInProcess(['data', 'list'], { cwd, env: { ATLAS_HOME: undefined } });
    expect(r1.stdout).toContain(join(cwd, '.atlas'));
    const r2 = await atlasInProcess(['data', 'list'], { cwd, env: { ATLAS_HOME: home } });
    expect(r2.stdout).toContain(home);
    const r3 = await atlasInProcess(['--data-dir', join(cwd, 'flag'), 'data', 'list'], { cwd, env: { ATLAS_HOME: home } });
    expect(r3.stdout).toContain(join(cwd, 'flag'));
  });

  it('reads a .env file in the working directory (and does not need one)', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, '.env'), 'ATLAS_HOME=from-dotenv\n');
    const r = await atlasInProcess(['data', 'list'], { cwd, env: { ATLAS_HOME: undefined } });
    expect(r.stdout).toContain(join(cwd, 'from-dotenv'));
  });
});

describe('atlas data import / list / check', () => {
  it('imports files, skips non-price files with a note, and reports a bad file with a non-zero exit', async () => {
    const src = tmp();
    const dir = tmp();
    writeFileSync(join(src, 'AAA.csv'), 'Date,Open,High,Low,Close,Adj Close,Volume\r\n2020-01-02,1,2,0.5,1.5,1.4,10\r\n2020-01-03,1,2,0.5,1.6,1.5,10\r\n');
    writeFileSync(join(src, 'calendar.csv'), 'date,weekday,type\n2020-01-01,Wed,holiday\n');
    writeFileSync(join(src, 'BAD.csv'), 'Date,Close\n2020-01-02,1\nnot-a-date,2\n');
    const r = await atlasInProcess(['--data-dir', dir, 'data', 'import', src]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Imported 1 symbols .* skipped 1 non-price files; 1 failed/);
    expect(r.stderr).toMatch(/skipped .*calendar\.csv: not a price file/);
    expect(r.stderr).toMatch(/BAD\.csv line 3: cannot read the date "not-a-date"/);
    const list = JSON.parse((await atlasInProcess(['--data-dir', dir, 'data', 'list', '--json'])).stdout);
    expect(list).toEqual([{ symbol: 'AAA', source: 'csv', from: '2020-01-02', to: '2020-01-03', bars: 2 }]);
  });

  it('checks data quality against the NYSE calendar', async () => {
    const dir = tmp();
    // 2020-01-06 is missing, 2020-01-04 is a Saturday, 2020-01-08 has low > high, 2020-01-09 jumps 300%.
    // Seeded into the store directly: import rejects the low > high row (test/data/importCsv.test.ts),
    // but a store can still hold one (an older import, a provider).
    const bar = (date: string, open: number, high: number, low: number, close: number) => ({ date, open, high, low, close, adjClose: close, volume: 0 });
    const db = openDatabase(dir);
    try {
      new BarStore(db).replaceBars('Q', 'csv', [
        bar('2020-01-02', 10, 11, 9, 10), bar('2020-01-03', 10, 11, 9, 10), bar('2020-01-04', 10, 11, 9, 10),
        bar('2020-01-07', 10, 11, 9, 10), bar('2020-01-08', 10, 9, 11, 10), bar('2020-01-09', 40, 41, 39, 40),
      ]);
    } finally {
      db.close();
    }
    const r = await atlasInProcess(['--data-dir', dir, 'data', 'check', '--json', '--as-of', '2020-01-09']);
    expect(r.code).toBe(0);
    const [q] = JSON.parse(r.stdout);
    expect(q).toMatchObject({ symbol: 'Q', missingSessions: 1, nonTradingDayBars: 1, badOhlc: 1, largeMoves: 1, stale: false, ok: false });
    const stale = JSON.parse((await atlasInProcess(['--data-dir', dir, 'data', 'check', '--json', '--as-of', '2020-03-02'])).stdout)[0];
    expect(stale.stale).toBe(true);
    const unknown = await atlasInProcess(['--data-dir', dir, 'data', 'check', '--symbols', 'ZZZ']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No data stored for ZZZ/);
  });
});

describe.skipIf(!realDataDir())('atlas data import on ../shared/data (real)', () => {
  it('imports 85 symbols and skips the calendar, sector and membership files', async () => {
    const data = realDataDir()!;
    const dir = join(tmp(), 'store');
    mkdirSync(dir);
    const r = await atlasInProcess(['--data-dir', dir, 'data', 'import', data, join(data, 'stocks'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.imported).toHaveLength(85);
    expect(report.skipped.map((s: { file: string }) => s.file.split('/').pop()).sort()).toEqual(['nyse_calendar.csv', 'sp500_constituents_gics.csv', 'sp500_membership.csv']);
    expect(report.failed).toEqual([]);
    const list = JSON.parse((await atlasInProcess(['--data-dir', dir, 'data', 'list', '--json'])).stdout);
    expect(list).toHaveLength(85);
    expect(list.find((s: { symbol: string }) => s.symbol === 'SPY')).toMatchObject({ from: '1993-01-29', to: '2020-12-31', bars: 7033 });
    const check = JSON.parse((await atlasInProcess(['--data-dir', dir, 'data', 'check', '--symbols', 'SPY', '--json'])).stdout);
    expect(check[0]).toMatchObject({ symbol: 'SPY', missingSessions: 0, nonTradingDayBars: 0, badOhlc: 0 });
  }, 120_000);
});

if (!realDataDir()) console.info(REAL_DATA_SKIP_MESSAGE);
