import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionsBetween } from '../../src/calendar/nyse.js';
import { atlasInProcess } from '../support/cliInProcess.js';

// A 2:1 split on 2014-06-09 in a file without adjusted prices: imported as is, it reads as a -50% day.
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'atlas-unadj-'));
  const sessions = sessionsBetween('2013-01-02', '2015-12-31');
  const rows = (adj: boolean, sym: number) => sessions.map((d, i) => {
    const p = (100 + sym + i * 0.1) / (d >= '2014-06-09' ? 2 : 1);
    return adj ? `${d},${p},${p},${p},${p},${(100 + sym + i * 0.1) / 2},1000000` : `${d},${p},${p},${p},${p},1000000`;
  });
  writeFileSync(join(root, 'RAW.csv'), ['Date,Open,High,Low,Close,Volume', ...rows(false, 0)].join('\n'));
  // An index has no adjusted close and needs none.
  writeFileSync(join(root, 'VIX.csv'), ['DATE,OPEN,HIGH,LOW,CLOSE', ...sessionsBetween('2013-01-02', '2015-12-31').map((d) => `${d},20,21,19,20`)].join('\n'));
  for (const [s, k] of [['AAA', 1], ['BBB', 2], ['CCC', 3]] as const) {
    writeFileSync(join(root, `${s}.csv`), ['Date,Open,High,Low,Close,Adj Close,Volume', ...rows(true, k)].join('\n'));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a CSV without adjusted prices', () => {
  it('is refused with one sentence naming the fix, and nothing is stored for it', async () => {
    const dir = join(root, 'refused');
    const r = await atlasInProcess(['--data-dir', dir, 'data', 'import', join(root, 'RAW.csv'), join(root, 'AAA.csv'), join(root, 'VIX.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RAW\.csv has no adjusted close column .* pass --unadjusted/);
    const list = await atlasInProcess(['--data-dir', dir, 'data', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((s: { symbol: string; source: string }) => [s.symbol, s.source])).toEqual([['AAA', 'csv'], ['VIX', 'csv']]);
  });

  it('imports with --unadjusted, and data check and the backtest warn about it', async () => {
    const dir = join(root, 'accepted');
    const imp = await atlasInProcess(['--data-dir', dir, 'data', 'import', '--unadjusted', root]);
    expect(imp.code).toBe(0);
    const check = await atlasInProcess(['--data-dir', dir, 'data', 'check', '--symbols', 'RAW,AAA', '--as-of', '2015-12-31', '--json']);
    const reports = JSON.parse(check.stdout) as { symbol: string; unadjusted: boolean; splitLike: number; issues: { kind: string }[] }[];
    const raw = reports.find((x) => x.symbol === 'RAW')!;
    expect(raw.unadjusted).toBe(true);
    expect(raw.issues.map((i) => i.kind)).toEqual(expect.arrayContaining(['unadjusted', 'split_like']));
    expect(reports.find((x) => x.symbol === 'AAA')!.unadjusted).toBe(false);
    const vix = await atlasInProcess(['--data-dir', dir, 'data', 'check', '--symbols', 'VIX', '--as-of', '2015-12-31', '--json']);
    expect(JSON.parse(vix.stdout)[0].unadjusted).toBe(false);

    const uni = join(root, 'u.txt');
    writeFileSync(uni, 'RAW\nAAA\nBBB\nCCC\n');
    const args = ['--data-dir', dir, 'backtest', '--universe-file', uni, '--regime-mode', 'off', '--top-n', '2', '--from', '2014-01-02'];
    const text = await atlasInProcess(args);
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/warning: RAW was imported without adjusted prices/);
    const report = join(root, 'r.html');
    const js = await atlasInProcess([...args, '--json', '--out', report]);
    const doc = JSON.parse(js.stdout) as { unadjustedSymbols: string[]; unadjustedWarning: string };
    expect(doc.unadjustedSymbols).toEqual(['RAW']);
    expect(readFileSync(report, 'utf8')).toContain('RAW was imported without adjusted prices');

    // A sweep is many backtests: it warns too.
    const grid = join(root, 'grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [1, 2] }));
    const sweep = await atlasInProcess(['--data-dir', dir, 'sweep', '--universe-file', uni, '--grid', grid, '--regime-mode', 'off', '--from', '2014-01-02', '--workers', '1']);
    expect(sweep.code).toBe(0);
    expect(sweep.stderr).toMatch(/warning: RAW was imported without adjusted prices/);
  });
});
