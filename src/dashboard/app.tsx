/**
 * @module The dashboard as a hono app: server-rendered pages (hono JSX), the static assets, the
 * server-sent change events, a small JSON API; every route behind the token, every response with
 * the CSP. Read-only: only GET and HEAD are answered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Clock } from '../core/clock.js';
import type { RegimeModelName } from '../regime/models/registry.js';
import { dashboardAssets } from './assets.js';
import type { ChangeFeed } from './changes.js';
import type { DashboardData } from './readModel.js';
import { configuredModels } from './regimeModels.js';
import { reportCsp, requireToken, securityHeaders } from './security.js';
import { DataPage } from './pages/data.js';
import { Layout } from './pages/layout.js';
import { accountSummaries, OverviewPage } from './pages/overview.js';
import { PortfolioPage } from './pages/portfolio.js';
import { RegimePage } from './pages/regime.js';
import { ResearchPage, SweepPage } from './pages/research.js';
import { RunPage, RunsPage } from './pages/runs.js';

export interface DashboardDeps {
  data: DashboardData;
  feed: ChangeFeed;
  dataDir: string;
  token: string;
  clock: Clock;
  /** Values never to render (API keys): page text that shows stored JSON or files goes through redact. */
  secrets: readonly string[];
  strategyFiles: readonly string[];
  /** Regime models to compare besides those the strategy files name (`--regime-models`). */
  regimeModels?: readonly RegimeModelName[];
}

export function createDashboardApp(d: DashboardDeps): Hono {
  const app = new Hono();
  const assets = dashboardAssets();
  const models = configuredModels(d.strategyFiles, d.regimeModels ?? []);
  const simulated = () => d.data.fromStore('simulated', () => d.data.bars.listSymbols().some((s) => s.symbol === 'SPY' && s.source === 'demo'));

  app.use('*', securityHeaders());
  app.use('*', requireToken(d.token));
  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return c.text('405: the dashboard is read-only.', 405);
    await next();
  });

  app.get('/assets/:name', (c) => {
    const a = assets[c.req.param('name')];
    if (!a) return c.notFound();
    return c.body(a.body, 200, { 'Content-Type': a.type });
  });

  app.get('/', (c) => c.html(<Layout title="Overview" path="/" simulated={simulated()}><OverviewPage data={d.data} dataDir={d.dataDir} now={d.clock.now()} /></Layout>));
  app.get('/regime', (c) => c.html(<Layout title="Regime" path="/regime" simulated={simulated()}><RegimePage data={d.data} models={models} /></Layout>));
  app.get('/portfolio', (c) => c.html(<Layout title="Portfolio" path="/portfolio" simulated={simulated()}><PortfolioPage data={d.data} strategyFiles={d.strategyFiles} secrets={d.secrets} /></Layout>));
  app.get('/runs', (c) => c.html(<Layout title="Runs and orders" path="/runs"><RunsPage data={d.data} /></Layout>));
  app.get('/runs/:id', (c) => c.html(<Layout title={`Run ${c.req.param('id')}`} path="/runs"><RunPage data={d.data} runId={c.req.param('id')} secrets={d.secrets} /></Layout>));
  app.get('/research', (c) => c.html(<Layout title="Research" path="/research"><ResearchPage data={d.data} /></Layout>));
  app.get('/research/:id/report', (c) => {
    const run = d.data.research.get(Number(c.req.param('id')));
    if (run?.kind === 'sweep') return c.html(<Layout title={`Sweep #${run.id}: ${run.title}`} path="/research"><SweepPage run={run} /></Layout>);
    if (!run?.reportPath || !existsSync(run.reportPath)) return c.text('404: that report file is no longer where it was written.', 404);
    const html = readFileSync(run.reportPath, 'utf8');
    return c.html(html, 200, { 'Content-Security-Policy': reportCsp(html) });
  });
  app.get('/data', (c) => c.html(<Layout title="Data" path="/data" simulated={simulated()}><DataPage data={d.data} now={d.clock.now()} /></Layout>));

  app.get('/api/overview', (c) => c.json(accountSummaries(d.data).map(({ chart: _chart, chartJson: _json, ...a }) => a)));

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const unsubscribe = d.feed.subscribe((kinds) => {
        void stream.writeSSE({ event: 'change', data: JSON.stringify({ kinds }) }).catch(() => finish());
      });
      stream.onAbort(() => {
        unsubscribe();
        finish();
      });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      await done;
      unsubscribe();
    }),
  );

  app.notFound((c) => c.text('404: no such page.', 404));
  return app;
}
