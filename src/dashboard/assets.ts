/**
 * @module The dashboard's static files, all served by the app itself (the CSP allows no other
 * source): uPlot from node_modules, the shared chart module, the live-update script and the CSS.
 */
import { CHART_CSS, CHART_RUNTIME, uplotAssets } from '../backtest/report/chartRuntime.js';

/**
 * Live updates: one EventSource; on a change the page's <main> is fetched again and swapped in,
 * then its charts are mounted. No timer in the browser.
 */
const LIVE_JS = `(function () {
  'use strict';
  var badge = document.getElementById('live');
  var updates = 0;
  function refresh() {
    fetch(location.href, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (!html) return;
      var next = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
      var main = document.querySelector('main');
      if (!next || !main) return;
      main.replaceWith(next);
      if (window.AtlasCharts) window.AtlasCharts.mountAll(document);
      updates++;
      document.body.setAttribute('data-updates', String(updates));
    });
  }
  if (!window.EventSource) return;
  var es = new EventSource('/events');
  es.addEventListener('open', function () { if (badge) badge.className = 'live on'; });
  es.addEventListener('error', function () { if (badge) badge.className = 'live'; });
  es.addEventListener('change', refresh);
})();
`;

const DASHBOARD_CSS = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#222;background:#fafafa}
header{display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px;padding:8px 16px;background:#1f2937;color:#fff}
header a{color:#d1d5db;text-decoration:none;padding:4px 6px;border-radius:4px}header a.active,header a:hover{background:#374151;color:#fff}
.brand{font-size:16px;margin-right:8px}nav{display:flex;flex-wrap:wrap;gap:4px}.live{margin-left:auto;font-size:12px;color:#9ca3af}.live.on{color:#34d399}
main{max-width:1200px;margin:0 auto;padding:12px 16px 40px}h1{font-size:20px;margin:8px 0}h2{font-size:16px;margin:22px 0 6px}h3{font-size:14px;margin:6px 0}
table{border-collapse:collapse;margin:6px 0;font-variant-numeric:tabular-nums;background:#fff}td,th{border-bottom:1px solid #e5e7eb;padding:4px 9px;text-align:right}
td:first-child,th:first-child,td.left{text-align:left}td.date{white-space:nowrap}.scroll{overflow-x:auto}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:10px 14px;margin:10px 0}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
.muted{color:#6b7280}.neg{color:#cf222e}.warn{color:#9a6700}.posv{color:#1a7f37}.empty{color:#6b7280;font-style:italic}.big{font-size:16px}
.TREND_BULL{color:#1a7f37}.TREND_NEUTRAL{color:#2b6a99}.TREND_BEAR{color:#c2570c}.CRASH{color:#cf222e;font-weight:600}
.sim{background:#ffe3e3;border:2px solid #cf222e;color:#8b0000;font-weight:700;padding:8px 12px;margin:8px 0}
pre{background:#f3f4f6;padding:8px;overflow-x:auto;font-size:12px;max-height:480px}details{margin:6px 0}summary{cursor:pointer;font-weight:600}
tr.sleeve td{font-style:italic;color:#374151}
${CHART_CSS}
`;

export interface Asset {
  type: string;
  body: string;
}

export function dashboardAssets(): Record<string, Asset> {
  const uplot = uplotAssets();
  return {
    'uPlot.iife.min.js': { type: 'text/javascript; charset=utf-8', body: uplot.js },
    'uPlot.min.css': { type: 'text/css; charset=utf-8', body: uplot.css },
    'atlas-charts.js': { type: 'text/javascript; charset=utf-8', body: CHART_RUNTIME },
    'live.js': { type: 'text/javascript; charset=utf-8', body: LIVE_JS },
    'dashboard.css': { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
  };
}
