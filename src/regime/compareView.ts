/**
 * Runs `compareRegimeModels` on the store and renders its tables; shared by `atlas regime compare`
 * and `atlas demo`. The text rendering takes the table and number formatters as arguments so this
 * layer does not import the CLI.
 */
import type { BarStore } from '../data/store/barStore.js';
import { compareRegimeModels, type PeriodResult, type RegimeComparison } from './compare.js';
import { regimeFromStore } from './fromStore.js';
import type { RegimeModelName } from './models/registry.js';
import { REGIMES, type RegimeHistory, type RegimeParamsInput } from './types.js';

/** The evaluation window of the issue: walk-forward 2000-01-01 .. the end of the data. */
export const WALK_FORWARD_FROM = '2000-01-01';

export interface StoreComparison {
  comparison: RegimeComparison;
  histories: RegimeHistory[];
  /** The first session every model has a regime. */
  firstCommon: string;
}

export function compareFromStore(
  store: BarStore, models: readonly RegimeModelName[],
  opts: { from?: string; to?: string; holdoutFrom?: string; walkForward?: boolean; costBps?: number; samples?: number; params?: RegimeParamsInput },
): StoreComparison {
  const histories = models.map((m) => regimeFromStore(store, { to: opts.to, model: m, params: m === 'seed' ? undefined : opts.params }).history);
  const dates = histories[0].dates;
  let first = 0;
  for (const h of histories) first = Math.max(first, h.regime.findIndex((r) => r !== null));
  const firstCommon = dates[first];
  const wanted = opts.from ?? (opts.walkForward ? WALK_FORWARD_FROM : firstCommon);
  const from = wanted < firstCommon ? firstCommon : wanted;
  const to = opts.to ?? dates[dates.length - 1];
  const spy = store.getBars('SPY', undefined, opts.to).map((b) => b.adjClose);
  const comparison = compareRegimeModels(histories, spy, {
    from, to, holdoutFrom: opts.holdoutFrom, costBps: opts.costBps,
    bootstrap: opts.samples !== undefined ? { samples: opts.samples, blockLength: 21, seed: 20240601 } : undefined,
  });
  return { comparison, histories, firstCommon };
}

interface Fmt {
  pct: (x: number, digits?: number) => string;
  num: (x: number, digits?: number) => string;
}

type TableFn = (head: string[], rows: (string | number)[][]) => string;

function periodTable(label: string, c: RegimeComparison, pick: (m: RegimeComparison['models'][number]) => PeriodResult | null, table: TableFn, fmt: Fmt): string[] {
  const cols = c.models.map((m) => ({ name: m.model, p: pick(m) })).filter((x): x is { name: string; p: PeriodResult } => x.p !== null);
  if (cols.length === 0) return [];
  const p0 = cols[0].p;
  const row = (name: string, f: (p: PeriodResult) => string, bh?: (p: PeriodResult) => string) => [name, ...cols.map((x) => f(x.p)), bh ? bh(p0) : ''];
  const lines = [
    `${label}: ${p0.from} .. ${p0.to} (${p0.sessions} sessions, ${fmt.num(p0.years, 1)} years)`,
    table(['metric', ...cols.map((x) => x.name), 'buy & hold'], [
      row('CAGR', (p) => fmt.pct(p.strategy.cagr), (p) => fmt.pct(p.buyAndHold.cagr)),
      row('Sharpe', (p) => fmt.num(p.strategy.sharpe), (p) => fmt.num(p.buyAndHold.sharpe)),
      row('  x buy & hold', (p) => fmt.num(p.strategy.sharpe / p.buyAndHold.sharpe)),
      row('  diff, 90% CI', (p) => `${fmt.num(p.sharpeDiffCI90[0])} .. ${fmt.num(p.sharpeDiffCI90[1])}`),
      row('Sortino', (p) => fmt.num(p.strategy.sortino), (p) => fmt.num(p.buyAndHold.sortino)),
      row('max drawdown', (p) => fmt.pct(p.strategy.maxDrawdown), (p) => fmt.pct(p.buyAndHold.maxDrawdown)),
      row('  x buy & hold', (p) => fmt.num(p.strategy.maxDrawdown / p.buyAndHold.maxDrawdown)),
      row('Calmar', (p) => fmt.num(p.strategy.calmar), (p) => fmt.num(p.buyAndHold.calmar)),
      row('exposure changes / yr', (p) => fmt.num(p.exposureChangesPerYear, 1)),
      row('average exposure', (p) => fmt.pct(p.averageExposure, 1)),
      ...REGIMES.map((r) => row(`days ${r}`, (p) => String(p.daysPerLabel[r]))),
    ]),
  ];
  const years = Object.keys(p0.crashDaysByYear);
  lines.push('CRASH days per calendar year:', table(['year', ...cols.map((x) => x.name)], years.map((y) => [y, ...cols.map((x) => x.p.crashDaysByYear[y] ?? 0)])));
  return lines;
}

/** The comparison as text tables. */
export function renderComparison(c: RegimeComparison, table: TableFn, fmt: Fmt): string {
  const lines = [
    `Regime-scaled SPY vs buy-and-hold: exposure decided at the close applies to the next session's return; ${c.costBps} bps per unit of exposure change; cash at 0%; every fit uses only data before it.`,
    ...periodTable(c.holdoutFrom ? 'In-sample' : 'Whole period', c, (m) => m.inSample, table, fmt),
    ...periodTable('Hold-out', c, (m) => m.holdout, table, fmt),
  ];
  const march = c.models.filter((m) => m.march2020 !== null);
  if (march.length) lines.push(`March 2020 (CRASH sessions; strategy vs buy-and-hold return): ${march.map((m) => `${m.model} ${m.march2020!.crash}/${m.march2020!.sessions}, ${fmt.pct(m.march2020!.strategyReturn, 1)} vs ${fmt.pct(m.march2020!.buyAndHoldReturn, 1)}`).join('; ')}`);
  lines.push(c.holdoutFrom
    ? `${c.modelsComparedOnHoldout} models were compared on the hold-out from ${c.holdoutFrom}: picking the best of them overstates its hold-out edge, more so the more models are compared.`
    : 'No hold-out (--holdout-from): every figure above is in-sample for any choice made by looking at it.');
  lines.push(`Sharpe-difference intervals: moving-block bootstrap, ${c.bootstrap.samples} resamples of ${c.bootstrap.blockLength}-session blocks, seed ${c.bootstrap.seed}.`);
  return lines.join('\n');
}
