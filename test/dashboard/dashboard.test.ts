/**
 * The dashboard in a real browser (playwright-core driving Debian's chromium) against a demo-market
 * store: every page loads clean, the numbers equal the CLI's --json, a written snapshot reaches an
 * open page, the token guards every route, and the backtest report renders offline from file://.
 * With ATLAS_TEST_SCREENSHOTS=1 screenshots go to test/dashboard/artifacts/ (gitignored; off by default:
 * they assert nothing and full-page captures cost seconds of CPU); ATLAS_DOCS_SCREENSHOTS=1 also
 * rewrites docs/dashboard-overview.png and docs/dashboard-regime.png.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextSession } from '../../src/calendar/nyse.js';
import { demoMoment } from '../../src/cli/commands/demo.js';
import { ManualClock } from '../../src/core/clock.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import { openDatabase } from '../../src/data/store/database.js';
import { SnapshotStore } from '../../src/operations/snapshots/snapshotStore.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { buildFixture, findChromium, type Fixture } from './fixture.js';

const CHROMIUM = findChromium();
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const PAGES = ['/', '/regime', '/portfolio', '/runs', '/research', '/data'];
if (!CHROMIUM) console.warn('dashboard browser tests skipped: no chromium found (apt-get install chromium, or set CHROMIUM_PATH)');

const SCREENSHOTS = Boolean(process.env.ATLAS_TEST_SCREENSHOTS || process.env.ATLAS_DOCS_SCREENSHOTS);
/** A screenshot for a person to look at, when asked for (ATLAS_TEST_SCREENSHOTS=1). */
async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

const moneyOf = (text: string) => Number(text.replace(/[$,]/g, ''));

describe.skipIf(!CHROMIUM)('the dashboard in chromium', () => {
  let fx: Fixture;
  let dash: RunningDashboard;
  let browser: Browser;
  let ctx: BrowserContext;

  beforeAll(async () => {
    fx = await buildFixture();
    // The demo's simulated moment (the session after its last bar), where its data is current.
    dash = await startDashboard({ dataDir: fx.dir, port: 0, clock: new ManualClock(demoMoment(fx.lastSession)), strategyFiles: fx.strategyFiles, pollMs: 100 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    if (fx) rmSync(fx.dir, { recursive: true, force: true });
  });

  /**
   * The one tab every test navigates, recording console errors and failed requests per page. One
   * tab, not one per page: a new page costs Chromium a renderer start, a navigation does not.
   */
  let tab: Page | undefined;
  let problems: string[] = [];
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    if (!tab) {
      const page = (tab = await ctx.newPage());
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => { if (!r.url().endsWith('/events')) problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`); });
      page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    }
    problems = [];
    const mine = problems;
    await tab.goto(`${dash.url}${path}`, { waitUntil: 'load' });
    return { page: tab, problems: mine };
  }

  it('logs in with the printed URL, then every page loads with no console error and no failed request', { timeout: 120_000 }, async () => {
    const login = await ctx.newPage();
    const res = await login.goto(dash.loginUrl);
    expect(res?.status()).toBe(200);
    expect(new URL(login.url()).pathname).toBe('/');
    await login.close();
    for (const path of PAGES) {
      const { page, problems } = await open(path);
      await expect(page.locator('main h1').count()).resolves.toBe(1);
      if (path === '/' || path === '/regime') await page.locator('.atlas-chart canvas').first().waitFor();
      const name = path === '/' ? 'overview' : path.slice(1);
      await shoot(page, name);
      // ATLAS_DOCS_SCREENSHOTS=1 refreshes the two screenshots docs/dashboard.md shows.
      if (process.env.ATLAS_DOCS_SCREENSHOTS && (name === 'overview' || name === 'regime')) await page.screenshot({ path: join(DOCS, `dashboard-${name}.png`), fullPage: true });
      expect(problems, path).toEqual([]);
    }
  });

  it('shows the same regime as `atlas regime --json` and the same positions and equity as `atlas positions --json`', async () => {
    const regime = JSON.parse((await atlasInProcess(['--data-dir', fx.dir, 'regime', '--json'])).stdout) as { date: string; regime: string; allocation: number };
    const { page: rp } = await open('/regime');
    expect(await rp.locator('[data-k=date]').textContent()).toBe(regime.date);
    expect(await rp.locator('[data-k=regime]').textContent()).toBe(regime.regime);
    expect(await rp.locator('[data-k=allocation]').textContent()).toBe(`${(regime.allocation * 100).toFixed(0)}%`);

    const pos = JSON.parse((await atlasInProcess(['--data-dir', fx.dir, 'positions', '--account', 'DEMO', '--json'])).stdout) as { equity: number; cash: number; positions: { symbol: string; qty: number; marketValue: number }[] };
    expect(pos.positions.length).toBe(2);
    const { page: pp } = await open('/portfolio');
    const demo = pp.locator('section[data-account=DEMO]');
    expect(moneyOf((await demo.locator('[data-k=equity]').textContent())!)).toBeCloseTo(pos.equity, 2);
    expect(moneyOf((await demo.locator('[data-k=cash]').textContent())!)).toBeCloseTo(pos.cash, 2);
    for (const p of pos.positions) {
      const row = demo.locator(`tr[data-symbol=${p.symbol}]`);
      expect(Number(await row.locator('[data-k=qty]').textContent())).toBe(p.qty);
      expect(moneyOf((await row.locator('[data-k=value]').textContent())!)).toBeCloseTo(p.marketValue, 2);
    }

    const { page: op } = await open('/');
    expect(moneyOf((await op.locator('tr[data-account=DEMO] [data-k=equity]').textContent())!)).toBeCloseTo(pos.equity, 2);
    const exposure = pos.positions.reduce((a, p) => a + p.marketValue, 0) / pos.equity;
    expect(await op.locator('tr[data-account=DEMO] [data-k=exposure]').textContent()).toBe(`${(exposure * 100).toFixed(1)}%`);
  });

  it('compares the regime models the strategy files name: days per regime, exposure changes and Sharpe equal `atlas regime compare --json`, one strip per model', { timeout: 120_000 }, async () => {
    const r = await atlasInProcess(['--data-dir', fx.dir, 'regime', 'compare', '--models', 'seed,sma200', '--bootstrap-samples', '10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const cmp = JSON.parse(r.stdout) as { models: { model: string; inSample: { daysPerLabel: Record<string, number>; exposureChangesPerYear: number; strategy: { sharpe: number }; buyAndHold: { sharpe: number } } }[] };
    const { page, problems } = await open('/regime');
    await page.locator('#regime-models-chart canvas').first().waitFor();
    // The SPY panel and one regime strip per model.
    expect(await page.locator('#regime-models-chart canvas').count()).toBe(3);
    expect(await page.locator('#regime-models-chart .atlas-chart-title').allTextContents()).toEqual(['SPY (adjusted close, log scale)', 'seed', 'sma200']);
    expect(await page.locator('#regime-models tr[data-model]').count()).toBe(2);
    for (const m of cmp.models) {
      const row = page.locator(`#regime-models tr[data-model=${m.model}]`);
      for (const g of ['TREND_BULL', 'TREND_NEUTRAL', 'TREND_BEAR', 'CRASH']) expect(Number(await row.locator(`[data-k=days-${g}]`).textContent()), `${m.model} ${g}`).toBe(m.inSample.daysPerLabel[g]);
      expect(await row.locator('[data-k=changes]').textContent()).toBe(m.inSample.exposureChangesPerYear.toFixed(1));
      expect(await row.locator('[data-k=sharpe]').textContent()).toBe(m.inSample.strategy.sharpe.toFixed(2));
    }
    expect(await page.locator('[data-k=sharpe-bh]').textContent()).toBe(cmp.models[0].inSample.buyAndHold.sharpe.toFixed(2));
    await shoot(page, 'regime-models');
    expect(problems.join('\n')).toBe('');
  });

  it('shows a run (signal, pre-flight, gates, plan, orders, fills, shortfall) with the numbers of `atlas rebalance --json` and `atlas log --run --json`', async () => {
    const run = fx.run;
    expect(run.outcome).toBe('completed');
    const { page, problems } = await open('/runs');
    await page.locator(`#runs a:text-is("${run.runId}")`).click();
    await page.locator('#orders').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/runs/${run.runId}`);
    await shoot(page, 'run');
    const text = (sel: string) => page.locator(sel).first().textContent();
    expect(await text('[data-k=status]')).toBe('completed');
    expect(await text('[data-k=regime]')).toBe(run.signal.regime);
    expect(await text('[data-k=allocation]')).toBe(`${(run.signal.allocation * 100).toFixed(0)}%`);
    const targets = Object.entries(run.signal.targets as Record<string, number>);
    expect(await page.locator('#targets tbody tr').count()).toBe(targets.length);
    for (const [sym, w] of targets) expect(await text(`#targets tr[data-symbol=${sym}] [data-k=weight]`)).toBe(`${(w * 100).toFixed(2)}%`);

    // Pre-flight and gates: one row per check as the run reported it (gates also list non-PASS per-order verdicts).
    const preflight = run.preflight as { check: number; result: string }[];
    expect(preflight.length).toBeGreaterThan(0);
    expect(await page.locator('#preflight tbody tr').count()).toBe(preflight.length);
    for (const p of preflight) expect(await text(`#preflight tr[data-gate="${p.check}"] [data-k=result]`)).toBe(p.result);
    const gates = run.validation as { gate: number; result: string }[];
    expect(gates.length).toBe(7);
    expect(await page.locator('#gates tbody tr[data-symbol=""]').count()).toBe(7);
    for (const g of gates) expect(await text(`#gates tr[data-gate="${g.gate}"][data-symbol=""] [data-k=result]`)).toBe(g.result);

    // Orders: planned and sent quantities, reference prices, states, fills; and the shortfall they add up to.
    const orders = run.orders as { clientOrderId: string; side: string; plannedQty: number; qty: number; refPrice: number; state: string; filledQty: number; filledAvgPrice: number | null }[];
    expect(orders.length).toBeGreaterThan(0);
    expect(await page.locator('#orders tbody tr').count()).toBe(orders.length);
    let shortfall = 0;
    for (const o of orders) {
      const row = page.locator(`#orders tr[data-order="${o.clientOrderId}"]`);
      expect(Number(await row.locator('[data-k=planned]').textContent())).toBe(o.plannedQty);
      expect(Number(await row.locator('[data-k=qty]').textContent())).toBe(o.qty);
      expect(await row.locator('[data-k=ref]').textContent()).toBe(o.refPrice.toFixed(2));
      expect(await row.locator('[data-k=state]').textContent()).toBe(o.state);
      expect(Number(await row.locator('[data-k=filled]').textContent())).toBe(o.filledQty);
      expect(o.filledAvgPrice).not.toBeNull();
      expect(await row.locator('[data-k=avg]').textContent()).toBe(o.filledAvgPrice!.toFixed(4));
      shortfall += (o.side === 'buy' ? 1 : -1) * (o.filledAvgPrice! - o.refPrice) * o.filledQty;
    }
    expect(moneyOf((await text('[data-k=shortfall-total]'))!)).toBeCloseTo(shortfall, 2);

    const log = JSON.parse((await atlasInProcess(['--data-dir', fx.dir, 'log', '--run', run.runId, '--json'])).stdout) as { event: string; symbol?: string; fillQty?: number; fillPrice?: number }[];
    const fills = log.filter((r) => r.event === 'ORDER_FILLED' || r.event === 'PARTIAL_FILL');
    expect(fills.length).toBe(orders.length);
    expect(await page.locator('#fills tbody tr').count()).toBe(fills.length);
    for (const f of fills) {
      const row = page.locator(`#fills tr[data-symbol=${f.symbol}]`);
      expect(Number(await row.locator('[data-k=qty]').textContent())).toBe(f.fillQty);
      expect(await row.locator('[data-k=price]').textContent()).toBe(f.fillPrice!.toFixed(4));
    }
    expect(problems).toEqual([]);
  });

  it('updates an open page within 2 s of a snapshot being written', async () => {
    const { page, problems } = await open('/');
    await page.locator('#live.on').waitFor({ timeout: 5000 });
    const next = nextSession(fx.lastSession);
    const snap = fx.snapshot(next, 12_345.67);
    const db = openDatabase(fx.dir);
    try {
      expect(new SnapshotStore(db).write(snap)).toBe(true);
    } finally {
      db.close();
    }
    const cell = page.locator('tr[data-account=DEMO] [data-k=equity]');
    // Runs in the page; `globalThis.document` because this file is type-checked without the DOM lib.
    await page.waitForFunction((want) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('tr[data-account=DEMO] [data-k=equity]')?.textContent === want, `$${snap.equity.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`, { timeout: 2000 });
    expect(moneyOf((await cell.textContent())!)).toBeCloseTo(snap.equity, 2);
    expect(await page.locator('tr[data-account=DEMO] td.date').textContent()).toBe(next);
    expect(problems).toEqual([]);
  });

  it('answers 401 on every route without the token, and with a wrong one', async () => {
    for (const path of [...PAGES, '/runs/x', '/research/1/report', '/events', '/api/overview', '/assets/live.js', '/assets/uPlot.iife.min.js', '/nope', '/login', '/login?token=wrong']) {
      const r = await fetch(`${dash.url}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const wrong = await fetch(`${dash.url}/`, { headers: { Cookie: 'atlas_dashboard=nottheone' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${dash.url}/api/overview`, { headers: { Authorization: `Bearer ${dash.token}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { account: string }[]).map((a) => a.account).sort()).toEqual(['DEMO', 'SMALL']);
    const post = await fetch(`${dash.url}/`, { method: 'POST', headers: { Authorization: `Bearer ${dash.token}` } });
    expect(post.status).toBe(405);
    expect(statSync(dash.tokenPath).mode & 0o777).toBe(0o600);
  });

  it('renders the backtest report from file:// with the network off: charts drawn, no console error', async () => {
    const offline = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
    const page = await offline.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
    await page.goto(`file://${fx.reportPath}`);
    await page.locator('.atlas-chart canvas').first().waitFor();
    // Equity, the regime strip and the drawdown: three charts, each a canvas with pixels.
    expect(await page.locator('.atlas-chart canvas').count()).toBe(3);
    expect(await page.locator('.verdict p').first().textContent()).toMatch(/^From \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \([\d.]+ years/);
    await shoot(page, 'report', false);
    expect(problems).toEqual([]);
    await offline.close();
  });

  it('opens a stored report from the Research page under a CSP that allows only its own scripts', async () => {
    const { page, problems } = await open('/research');
    await page.locator('#research tr[data-kind=backtest] a').first().click();
    await page.locator('.atlas-chart canvas').first().waitFor();
    expect(problems).toEqual([]);
  });

  it('lists the sweep beside the backtest, and its page shows the numbers of `atlas sweep --json`', async () => {
    const sw = fx.sweep;
    const { page, problems } = await open('/research');
    expect(await page.locator('#research tr[data-research][data-kind=backtest]').count()).toBe(1);
    const first = page.locator('#research tr[data-research][data-kind=sweep]');
    expect(await first.count()).toBe(1);
    expect(await first.locator('[data-k=overfitting]').textContent()).toBe(`DSR ${sw.overfitting.deflatedSharpe.dsr.toFixed(2)} · PBO ${sw.overfitting.pbo.pbo.toFixed(2)}`);
    await first.locator('a').click();
    await page.locator('#sweep-results').waitFor();
    await shoot(page, 'sweep');
    expect(await page.locator('[data-k=configurations]').textContent()).toBe(String(sw.configurations));
    expect(await page.locator('[data-k=dsr]').textContent()).toBe(sw.overfitting.deflatedSharpe.dsr.toFixed(3));
    expect(await page.locator('[data-k=pbo]').textContent()).toBe(sw.overfitting.pbo.pbo.toFixed(3));
    const results = sw.results as { metrics: { sharpe: number } }[];
    expect(await page.locator('#sweep-results [data-k=sharpe]').allTextContents()).toEqual(results.map((r) => r.metrics.sharpe.toFixed(2)));
    expect(problems).toEqual([]);
  });
});
