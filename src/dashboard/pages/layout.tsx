/** @module The page frame: navigation, the live-update marker, the scripts (all served by the app). */
import type { Child } from 'hono/jsx';
import { scriptJson, type ChartSpec } from '../../backtest/report/chartSpec.js';

export const PAGES = [
  ['/', 'Overview'],
  ['/regime', 'Regime'],
  ['/portfolio', 'Portfolio'],
  ['/runs', 'Runs & orders'],
  ['/research', 'Research'],
  ['/data', 'Data'],
] as const;

export function Layout(props: { title: string; path: string; children: Child; simulated?: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{`Atlas · ${props.title}`}</title>
        <link rel="stylesheet" href="/assets/uPlot.min.css" />
        <link rel="stylesheet" href="/assets/dashboard.css" />
        <link rel="icon" href="data:," />
      </head>
      <body>
        <header>
          <b class="brand">Atlas</b>
          <nav>
            {PAGES.map(([href, label]) => (
              <a href={href} class={href === props.path ? 'active' : undefined}>{label}</a>
            ))}
          </nav>
          <span id="live" class="live" title="updates when a snapshot, run event or alert is written">live</span>
        </header>
        <main data-page={props.path}>
          {props.simulated ? <div class="sim">SIMULATED: this store holds the demo market that `atlas demo` generates, not real prices.</div> : null}
          <h1>{props.title}</h1>
          {props.children}
        </main>
        <script src="/assets/uPlot.iife.min.js"></script>
        <script src="/assets/atlas-charts.js"></script>
        <script src="/assets/live.js"></script>
      </body>
    </html>
  );
}

export function Chart(props: { id: string; spec: ChartSpec; /** The spec already serialised with scriptJson (cached by the caller). */ json?: string }) {
  const specId = `${props.id}-spec`;
  return (
    <>
      <div class="atlas-chart" id={props.id} data-atlas-chart={specId}></div>
      <script type="application/json" id={specId} dangerouslySetInnerHTML={{ __html: props.json ?? scriptJson(props.spec) }}></script>
    </>
  );
}

export function Empty(props: { children: Child }) {
  return <p class="empty">{props.children}</p>;
}
