import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atlasInProcess } from '../support/cliInProcess.js';
import { copyDemoStore } from '../support/demoFixture.js';
import { REAL_DATA_SKIP_MESSAGE, realDataDir } from '../support/realData.js';

/**
 * One demo store shared by the tests in this file: a copy of the one `atlas data demo` builds
 * (test/support/demoFixture.ts). The commands run in-process through the real command parser.
 */
let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-cli-demo-'));
  await copyDemoStore(join(dir, 'store'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const atlas = (...args: string[]) => atlasInProcess(['--data-dir', join(dir, 'store'), ...args]);

describe('atlas regime on the demo market', () => {
  it('explains the regime at a date, as JSON', async () => {
    const r = await atlas('regime', '--as-of', '2008-10-10', '--json');
    expect(r.code, r.stderr).toBe(0);
    const why = JSON.parse(r.stdout);
    expect(why.date).toBe('2008-10-10');
    expect(why.regime).toBe('CRASH');
    expect(why.allocation).toBe(0);
    expect(why.rules.ddZ).toMatchObject({ threshold: 2.5, direction: 'gt' });
    expect(typeof why.summary).toBe('string');
  });

  it('history writes a CSV and JSON rows for the range only', async () => {
    const csv = join(dir, 'hist.csv');
    const r = await atlas('regime', 'history', '--from', '2020-03-02', '--to', '2020-03-06', '--csv', csv, '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { date: string }) => x.date)).toEqual(['2020-03-02', '2020-03-03', '2020-03-04', '2020-03-05', '2020-03-06']);
    const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^date,regime,state,modelRegime,dd,s20,s60,ddZ,s20Z,vix,vixChange1d,vixChange3d,vixTrigger,allocation,reason$/);
  });

  it('validate counts the scripted 2008 crash', async () => {
    const r = await atlas('regime', 'validate', '--from', '2008-09-29', '--to', '2008-10-27', '--json');
    const s = JSON.parse(r.stdout);
    expect(s.days).toBe(21);
    expect(s.counts.CRASH).toBeGreaterThanOrEqual(15);
    expect(s.firstCrash).toBe('2008-09-29');
  });

  it('evaluate compares the regime-scaled SPY with buy-and-hold', async () => {
    const r = await atlas('regime', 'evaluate', '--from', '2005-01-01', '--to', '2012-12-31', '--json');
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.from).toBe('2005-01-03');
    expect(e.strategy.maxDrawdown.maxDrawdown).toBeGreaterThan(e.buyAndHold.maxDrawdown.maxDrawdown);
    expect(e.strategyEquity).toHaveLength(e.sessions);
  });

  it('--regime-params overrides model parameters, with one sentence for a bad one', async () => {
    const base = JSON.parse((await atlas('regime', 'validate', '--from', '2005-01-01', '--to', '2024-12-31', '--json')).stdout);
    const noFloor = JSON.parse((await atlas('regime', 'validate', '--from', '2005-01-01', '--to', '2024-12-31', '--json', '--regime-params', '{"vixFloor":null}')).stdout);
    // Without the VIX level floor the VIX layer can only add CRASH days.
    expect(noFloor.counts.CRASH).toBeGreaterThanOrEqual(base.counts.CRASH);
    const bad = await atlas('regime', '--regime-params', '{"lambda":3}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--regime-params: unknown parameter "lambda"; use one of rfAnnual/);
  });

  it('refuses with a sentence when SPY history is too short', async () => {
    const r = await atlas('regime', '--as-of', '2001-06-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/needs at least \d+ SPY sessions \(about \d years\) before its first regime; the store has \d+ up to 2001-06-01/);
  });
});

describe('atlas scan / backtest / sweep on the demo market', () => {
  it('scan ranks by distance to the 52-week high and marks the top N', async () => {
    const r = await atlas('scan', '--universe', 'technology', '--top-n', '3', '--as-of', '2019-12-31', '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.date).toBe('2019-12-31');
    expect(s.selected).toHaveLength(3);
    const eligible = s.rows.filter((x: { eligible: boolean }) => x.eligible);
    for (let i = 1; i < eligible.length; i++) expect(eligible[i - 1].distance).toBeGreaterThanOrEqual(eligible[i].distance);
    expect(s.rows.find((x: { symbol: string }) => x.symbol === 'CRWD').reason).toBe('insufficient history'); // listed 2019-06-12: < 252 sessions
    expect(s.universe.survivorshipWarning).toMatch(/survivorship/);
  });

  it('an unknown universe lists the valid names', async () => {
    const r = await atlas('scan', '--universe', 'tech');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Unknown universe "tech": choose one of technology, healthcare, financials, sp500_proxy/);
  });

  it('backtest --regime compare writes the report, trades and regime CSVs, deterministically', async () => {
    const out = (k: number) => ({ report: join(dir, `r${k}.html`), trades: join(dir, `t${k}.csv`), regimes: join(dir, `g${k}.csv`) });
    const run = (k: number) => atlas('backtest', '--universe', 'technology', '--top-n', '5', '--from', '2005-01-01', '--to', '2012-12-31', '--regime', 'compare', '--json',
      '--report', out(k).report, '--trades', out(k).trades, '--regime-csv', out(k).regimes);
    const [a, b] = [await run(1), await run(2)];
    expect(a.code, a.stderr).toBe(0);
    const res = JSON.parse(a.stdout);
    expect(res.strategies.map((s: { name: string }) => s.name)).toEqual(['baseline', 'regime-rebalance', 'regime-daily']);
    expect(res.benchmark.name).toBe('SPY buy & hold');
    expect(res.strategies[1].rebalances[0]).toHaveProperty('regime');
    expect(a.stdout).toBe(b.stdout);
    // As text: toEqual on two Buffers compares them byte by byte through the generic matcher (2 s here).
    for (const f of ['report', 'trades', 'regimes'] as const) expect(readFileSync(out(1)[f], 'utf8')).toBe(readFileSync(out(2)[f], 'utf8'));
    const html = readFileSync(out(1).report, 'utf8');
    // Interactive charts from the inlined chart module: self-contained, nothing loaded from elsewhere.
    expect(html).toMatch(/data-atlas-chart=/);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org|github\.com\/leeoniya\/uPlot)/); // uPlot's licence comment
    expect(html).toMatch(/Survivorship bias/);
    expect(readFileSync(out(1).trades, 'utf8').split('\r\n')[0]).toBe('strategy,date,symbol,side,intent,qty,price,notional,commission,slippage,cost');
  });

  it('--gate prints PASS/FAIL per metric and sets the exit code', async () => {
    const pass = await atlas('backtest', '--universe', 'technology', '--regime', 'off', '--gate', 'sharpe>=-10,cagr>=-1');
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/PASS {2}sharpe>=-10/);
    const fail = await atlas('backtest', '--universe', 'technology', '--regime', 'off', '--gate', 'sharpe>=10');
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/FAIL {2}sharpe>=10/);
    const bad = await atlas('backtest', '--universe', 'technology', '--gate', 'sharp>=1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--gate metric "sharp" is unknown/);
  });

  it('sweep ranks a grid and its best baseline row equals the single backtest', async () => {
    const grid = join(dir, 'grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [5, 10], minDistance: [0.9], rebalance: ['semiannual'], regimeMode: ['off', 'daily'] }));
    const csv = join(dir, 'sweep.csv');
    const r = await atlas('sweep', '--universe', 'technology', '--grid', grid, '--from', '2005-01-01', '--workers', '2', '--csv', csv, '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.results).toHaveLength(4);
    const sharpes = s.results.map((x: { metrics: { sharpe: number } }) => x.metrics.sharpe);
    expect([...sharpes].sort((a, b) => b - a)).toEqual(sharpes);
    const single = JSON.parse((await atlas('backtest', '--universe', 'technology', '--top-n', '10', '--from', '2005-01-01', '--regime', 'off', '--json')).stdout);
    const row = s.results.find((x: { topN: number; regimeMode: string }) => x.topN === 10 && x.regimeMode === 'off');
    expect(row.metrics.sharpe).toBeCloseTo(single.strategies[0].metrics.sharpe, 12);
    expect(existsSync(csv)).toBe(true);
    const badGrid = join(dir, 'bad.json');
    writeFileSync(badGrid, '{"topN":[0]}');
    const bad = await atlas('sweep', '--universe', 'technology', '--grid', badGrid);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/"topN" must be a non-empty list of whole numbers >= 1/);
  }, 60_000);
});

describe('atlas demo', () => {
  it('builds the market, prints the regime timeline and writes a backtest report', async () => {
    const d = mkdtempSync(join(tmpdir(), 'atlas-demo-'));
    try {
      const r = await atlasInProcess(['--data-dir', d, 'demo']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/SIMULATED DEMO MARKET/);
      expect(r.stdout).toMatch(/== 2\. Regime/);
      expect(r.stdout).toMatch(/CRASH episodes \(3\+ sessions\): 2008-09-29/);
      expect(r.stdout).toMatch(/== 3\. Backtest/);
      expect(existsSync(join(d, 'demo-backtest.html'))).toBe(true);
      expect(r.stdout).toMatch(/== 4\. Dry-run rebalance on the embedded paper broker/);
      expect(r.stdout).toMatch(/DRY RUN, nothing will be sent/);
      expect(r.stdout).toMatch(/\[7\] regime compliance +(PASS|WARN)/);
      // A dry run sends nothing: the paper account has no orders.
      const orders = await atlasInProcess(['--data-dir', d, 'orders', '--account', 'DEMO', '--status', 'all', '--json']);
      expect(JSON.parse(orders.stdout).orders).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses to overwrite real data', async () => {
    const d = mkdtempSync(join(tmpdir(), 'atlas-demo-'));
    try {
      writeFileSync(join(d, 'SPY.csv'), 'Date,Close,Adj Close\n2020-01-02,300,300\n');
      await atlasInProcess(['--data-dir', join(d, 's'), 'data', 'import', join(d, 'SPY.csv')]);
      const r = await atlasInProcess(['--data-dir', join(d, 's'), 'demo']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/already holds real data for SPY; use another --data-dir for the demo, or --force/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!realDataDir())('acceptance on ../shared/data', () => {
  let real = '';
  beforeAll(async () => {
    real = mkdtempSync(join(tmpdir(), 'atlas-real-'));
    const data = realDataDir()!;
    const r = await atlasInProcess(['--data-dir', real, 'data', 'import', data, join(data, 'stocks')]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => real && rmSync(real, { recursive: true, force: true }));

  it('regime validate March 2020 shows at least 18/22 CRASH', async () => {
    const r = await atlasInProcess(['--data-dir', real, 'regime', 'validate', '--from', '2020-03-01', '--to', '2020-03-31', '--json']);
    const s = JSON.parse(r.stdout);
    expect(s.days).toBe(22);
    expect(s.counts.CRASH).toBeGreaterThanOrEqual(18);
  });

  it('the compare backtest runs 2005-2020 and writes the HTML report', async () => {
    const report = join(real, 'report.html');
    const r = await atlasInProcess(['--data-dir', real, 'backtest', '--universe', 'technology', '--top-n', '10', '--from', '2005-01-01', '--to', '2020-12-31', '--regime', 'compare', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/baseline .* regime-rebalance .* regime-daily .* SPY buy & hold/);
    expect(readFileSync(report, 'utf8')).toMatch(/2005-01-03 → 2020-12-31/);
  }, 60_000);
});

if (!realDataDir()) console.info(REAL_DATA_SKIP_MESSAGE);
