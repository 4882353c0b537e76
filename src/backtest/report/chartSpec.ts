/**
 * @module The data a chart is drawn from (read by chartRuntime.ts in the browser), built on the
 * server: shared dates, panels of series, and the regime as runs of equal keys. Numbers are rounded
 * and drawdowns are derived in the browser, so a 25-year report stays small.
 */
export type ChartUnit = 'money' | 'pct' | 'num';

export interface ChartSeries {
  name: string;
  color: string;
  values: (number | null)[];
}

export interface ChartPanel {
  title: string;
  height?: number;
  log?: boolean;
  unit?: ChartUnit;
  series?: ChartSeries[];
  /** 'drawdown': this panel shows the drawdown of panel `of`'s series. */
  derive?: 'drawdown';
  of?: number;
  /** Shade this panel's background by the regime. */
  shade?: boolean;
}

export interface ChartSpec {
  dates: string[];
  panels: ChartPanel[];
  /** [first index, regime key] per run of equal regimes (null = no regime known). */
  regime?: { title?: string; runs: [number, string | null][] };
  /** More regime strips under the first panel, one per regime model compared, in the same colours. */
  strips?: { title: string; runs: [number, string | null][] }[];
}

/** Contiguous runs of equal keys: [start index, key]. */
export function regimeRuns(keys: readonly (string | null)[]): [number, string | null][] {
  const out: [number, string | null][] = [];
  for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) out.push([i, keys[i] ?? null]);
  return out;
}

/** Finite values rounded to `significant` digits after the point, others null (JSON has no NaN). */
export function chartValues(values: ArrayLike<number>, digits = 2): (number | null)[] {
  const f = 10 ** digits;
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isFinite(v) ? Math.round(v * f) / f : null;
  }
  return out;
}

/** JSON safe inside a <script type="application/json"> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** The mount point and its spec, as HTML (the report; the dashboard renders the same with JSX). */
export function chartHtml(id: string, spec: ChartSpec): string {
  return `<div class="atlas-chart" data-atlas-chart="${id}-spec"></div><script type="application/json" id="${id}-spec">${scriptJson(spec)}</script>`;
}
