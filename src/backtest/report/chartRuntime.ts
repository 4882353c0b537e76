/**
 * @module The one chart module of Atlas, shared by the dashboard (served as /assets/atlas-charts.js)
 * and the HTML backtest report (inlined, so the file works offline from file://). It is browser
 * code kept as text: it runs on uPlot (bundled from node_modules, never a CDN) and mounts every
 * `[data-atlas-chart]` element from a JSON spec (see chartSpec.ts): synced panels (equity on a log
 * scale, drawdown derived from it, VIX...), the regime as its own strip in distinct colours, drag
 * to zoom, double-click to reset, a crosshair whose values show in the legend below each panel,
 * and axis ticks at round values ($50k, $100k, $200k; 0%, -10%, -20%).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Regime colours: solid for the strip, translucent for shading behind a panel. */
export const REGIME_COLORS: Record<string, string> = {
  TREND_BULL: '#2ca02c',
  TREND_NEUTRAL: '#6baed6',
  TREND_BEAR: '#ff7f0e',
  CRASH: '#d62728',
};

const require = createRequire(import.meta.url);
let uplotCache: { js: string; css: string } | undefined;

/** uPlot's browser build and stylesheet, read once from the installed package. */
export function uplotAssets(): { js: string; css: string } {
  uplotCache ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplotCache;
}

// Plain ES5-style browser code: no template literals, so it can live in this string unchanged.
export const CHART_RUNTIME = String.raw`(function () {
  'use strict';
  var REGIME = ${JSON.stringify(REGIME_COLORS)};
  var SHADE_ALPHA = 0.16;
  var PADDING = [10, 28, 0, 4];
  function ts(d) { return Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 1000; }
  function niceStep(span, target) {
    var raw = span / Math.max(1, target);
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < m.length; i++) if (m[i] * p >= raw) return m[i] * p;
    return 10 * p;
  }
  function linearSplits(min, max, target) {
    if (!(max > min)) return [min];
    var step = niceStep(max - min, target);
    var out = [];
    for (var v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
    return out;
  }
  function logSplits(min, max) {
    var e0 = Math.floor(Math.log10(min)), e1 = Math.ceil(Math.log10(max));
    var decades = Math.log10(max / min);
    var mult = decades > 3 ? [1] : decades > 1.2 ? [1, 2, 5] : decades > 0.5 ? [1, 1.5, 2, 3, 5, 7] : null;
    if (!mult) return linearSplits(min, max, 5);
    var out = [];
    for (var e = e0; e <= e1; e++) for (var k = 0; k < mult.length; k++) {
      var v = mult[k] * Math.pow(10, e);
      if (v >= min && v <= max) out.push(v);
    }
    return out.length >= 2 ? out : linearSplits(min, max, 5);
  }
  function trim(x) { return String(+x.toFixed(Math.abs(x) < 10 ? 2 : 1)); }
  function fmtMoney(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return '$' + trim(v / 1e9) + 'B';
    if (a >= 1e6) return '$' + trim(v / 1e6) + 'M';
    if (a >= 1e4) return '$' + trim(v / 1e3) + 'k';
    return '$' + trim(v);
  }
  function fmtPct(v, d) { return (v * 100).toFixed(d) + '%'; }
  function formatter(unit) {
    if (unit === 'money') return function (v) { return v == null ? '-' : '$' + Math.round(v).toLocaleString('en-US'); };
    if (unit === 'pct') return function (v) { return v == null ? '-' : fmtPct(v, 1); };
    return function (v) { return v == null ? '-' : (+v).toFixed(2); };
  }
  function tickFormatter(unit, splits) {
    // uPlot's log-axis filter blanks the splits it has no room for (null): they get no label.
    var label = function (f) { return function (v) { return v == null ? '' : f(v); }; };
    if (unit === 'money') return splits.map(label(fmtMoney));
    if (unit === 'pct') {
      var step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 0.1;
      var d = step * 100 >= 1 ? 0 : 1;
      return splits.map(label(function (v) { return fmtPct(Math.abs(v) < 1e-12 ? 0 : v, d); }));
    }
    return splits.map(label(function (v) { return String(+v.toFixed(2)); }));
  }
  function drawdown(values) {
    var out = new Array(values.length), peak = -Infinity;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v == null) { out[i] = null; continue; }
      if (v > peak) peak = v;
      out[i] = v / peak - 1;
    }
    return out;
  }
  function regimeAt(runs, i) {
    var lo = 0, hi = runs.length - 1, ans = -1;
    while (lo <= hi) { var mid = (lo + hi) >> 1; if (runs[mid][0] <= i) { ans = mid; lo = mid + 1; } else hi = mid - 1; }
    return ans < 0 ? null : runs[ans][1];
  }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function drawRuns(u, runs, xs, fillFor) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    for (var k = 0; k < runs.length; k++) {
      var key = runs[k][1];
      if (!key || !REGIME[key]) continue;
      var i0 = runs[k][0], i1 = k + 1 < runs.length ? runs[k + 1][0] : xs.length - 1;
      var x0 = Math.max(b.left, u.valToPos(xs[i0], 'x', true));
      var x1 = Math.min(b.left + b.width, u.valToPos(xs[i1], 'x', true));
      if (x1 <= x0) continue;
      ctx.fillStyle = fillFor(key);
      ctx.fillRect(x0, b.top, Math.max(1, x1 - x0), b.height);
    }
    ctx.restore();
  }
  var instances = [];
  function mount(el, spec) {
    var xs = spec.dates.map(ts);
    var width = Math.max(280, el.clientWidth || 800);
    var group = [];
    var syncing = false;
    var syncKey = 'atlas-' + Math.random().toString(36).slice(2);
    function onScale(u, key) {
      if (key !== 'x' || syncing) return;
      syncing = true;
      for (var i = 0; i < group.length; i++) if (group[i] !== u) group[i].setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
      syncing = false;
    }
    spec.panels.forEach(function (p, pi) {
      var source = p.derive === 'drawdown' ? spec.panels[p.of] : p;
      var series = source.series.map(function (s) { return { name: s.name, color: s.color, values: p.derive === 'drawdown' ? drawdown(s.values) : s.values }; });
      var unit = p.derive === 'drawdown' ? 'pct' : (p.unit || 'num');
      var fmt = formatter(unit);
      var data = [xs].concat(series.map(function (s) { return s.values; }));
      var yScale = { distr: p.log ? 3 : 1 };
      if (p.log) yScale.log = 10;
      yScale.range = p.derive === 'drawdown'
        ? function (u, min) { return [Math.min(min, -0.01) * 1.05, 0]; }
        : p.log ? function (u, min, max) { return [min / 1.04, max * 1.04]; }
        : function (u, min, max) { var pad = (max - min) * 0.05 || 1; return [min - pad, max + pad]; };
      var title = el.ownerDocument.createElement('div');
      title.className = 'atlas-chart-title';
      title.textContent = p.derive === 'drawdown' ? (p.title || 'Drawdown') : p.title;
      var holder = el.ownerDocument.createElement('div');
      el.appendChild(title);
      el.appendChild(holder);
      var opts = {
        width: width,
        height: p.height || 300,
        padding: PADDING,
        tzDate: function (t) { return uPlot.tzDate(new Date(t * 1e3), 'Etc/UTC'); },
        cursor: { sync: { key: syncKey, setSeries: false }, drag: { x: true, y: false } },
        scales: { x: { time: true }, y: yScale },
        axes: [
          {},
          { size: 70, splits: function (u, ai, min, max) { return p.log ? logSplits(min, max) : linearSplits(min, max, Math.max(4, Math.round((p.height || 300) / 50))); },
            values: function (u, splits) { return tickFormatter(unit, splits); } },
        ],
        series: [{ value: function (u, v) { return v == null ? '-' : new Date(v * 1e3).toISOString().slice(0, 10); } }].concat(series.map(function (s) {
          return { label: s.name, stroke: s.color, width: 1.5, value: function (u, v) { return fmt(v); }, spanGaps: true };
        })),
        hooks: {
          setScale: [onScale],
          drawClear: [function (u) { if (p.shade && spec.regime) drawRuns(u, spec.regime.runs, xs, function (k) { return alpha(REGIME[k], SHADE_ALPHA); }); }],
        },
      };
      var u = new uPlot(opts, data, holder);
      group.push(u);
      if (pi === 0) {
        var strips = (spec.regime ? [spec.regime] : []).concat(spec.strips || []);
        strips.forEach(function (strip, k) { mountStrip(el, strip, xs, width, syncKey, group, onScale, k === strips.length - 1); });
      }
    });
    instances.push({ el: el, group: group });
    return group;
  }
  function mountStrip(el, strip, xs, width, syncKey, group, onScale, withLegend) {
    var runs = strip.runs;
    var title = el.ownerDocument.createElement('div');
    title.className = 'atlas-chart-title';
    title.textContent = strip.title || 'Regime';
    var holder = el.ownerDocument.createElement('div');
    holder.className = 'atlas-regime-strip';
    el.appendChild(title);
    el.appendChild(holder);
    var zeros = xs.map(function () { return 0; });
    var u = new uPlot({
      width: width, height: 48, padding: PADDING,
      tzDate: function (t) { return uPlot.tzDate(new Date(t * 1e3), 'Etc/UTC'); },
      cursor: { sync: { key: syncKey, setSeries: false }, drag: { x: true, y: false }, points: { show: false } },
      scales: { x: { time: true }, y: { range: [0, 1] } },
      axes: [{ show: false }, { size: 70, values: function () { return []; }, grid: { show: false }, ticks: { show: false } }],
      series: [{ value: function (u, v) { return v == null ? '-' : new Date(v * 1e3).toISOString().slice(0, 10); } },
        { label: 'regime', stroke: 'transparent', paths: function () { return null; }, points: { show: false },
          value: function (u, v, si, idx) { return idx == null ? '-' : (regimeAt(runs, idx) || 'none'); } }],
      hooks: { setScale: [onScale], drawClear: [function (u) { drawRuns(u, runs, xs, function (k) { return REGIME[k]; }); }] },
    }, [xs, zeros], holder);
    group.push(u);
    if (!withLegend) return;
    var legend = el.ownerDocument.createElement('div');
    legend.className = 'atlas-regime-legend';
    Object.keys(REGIME).forEach(function (k) {
      var item = el.ownerDocument.createElement('span');
      var sw = el.ownerDocument.createElement('i');
      sw.style.background = REGIME[k];
      item.appendChild(sw);
      item.appendChild(el.ownerDocument.createTextNode(k));
      legend.appendChild(item);
    });
    el.appendChild(legend);
  }
  function mountAll(root) {
    var els = (root || document).querySelectorAll('[data-atlas-chart]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.getAttribute('data-mounted') === '1') continue;
      var src = el.ownerDocument.getElementById(el.getAttribute('data-atlas-chart'));
      if (!src) continue;
      el.setAttribute('data-mounted', '1');
      mount(el, JSON.parse(src.textContent));
    }
  }
  var resizePending = false;
  window.addEventListener('resize', function () {
    if (resizePending) return;
    resizePending = true;
    requestAnimationFrame(function () {
      resizePending = false;
      instances = instances.filter(function (x) { return x.el.isConnected; });
      instances.forEach(function (x) {
        var w = Math.max(280, x.el.clientWidth || 800);
        x.group.forEach(function (u) { u.setSize({ width: w, height: u.height }); });
      });
    });
  });
  window.AtlasCharts = { mountAll: mountAll, mount: mount, logSplits: logSplits, linearSplits: linearSplits };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { mountAll(document); });
  else mountAll(document);
})();
`;

/** Styles for the chart containers (titles, the regime strip's legend). */
export const CHART_CSS = `
.atlas-chart{margin:8px 0 18px}.atlas-chart-title{font-weight:600;font-size:13px;margin:10px 0 2px}
.atlas-regime-legend{font-size:12px;margin:2px 0 0 70px}.atlas-regime-legend span{margin-right:12px;white-space:nowrap}
.atlas-regime-legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:-1px;border-radius:2px}
.uplot .u-legend{font-size:12px;text-align:left}
`;
