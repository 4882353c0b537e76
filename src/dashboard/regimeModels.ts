/**
 * @module Which regime models the dashboard compares, and the comparison itself: the models named
 * in the accounts' strategy files (each with the parameters its file gives) plus any asked for with
 * `atlas dashboard --regime-models`. With two or more, each model's history is computed from the
 * store and run through `compareRegimeModels` over the window `atlas regime compare` uses by
 * default (from the first session every model has a regime to the last, 5 bps per unit of
 * exposure change), so the figures equal `atlas regime compare --models ... --json`.
 */
import { existsSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { chartValues, regimeRuns, type ChartSpec } from '../backtest/report/chartSpec.js';
import { compareRegimeModels, type PeriodResult } from '../regime/compare.js';
import { regimeFromStore } from '../regime/fromStore.js';
import type { RegimeModelName } from '../regime/models/registry.js';
import type { RegimeHistory, RegimeParamsInput } from '../regime/types.js';
import { loadStrategyFile } from '../strategy/load.js';
import type { DashboardData } from './readModel.js';

export interface ConfiguredModel {
  model: RegimeModelName;
  params: RegimeParamsInput | undefined;
  /** Where it is configured: strategy files (relative to the working directory, else by name) or the flag. */
  from: string[];
}

/** The cost `atlas regime compare` charges by default, per unit of exposure change. */
export const COMPARE_COST_BPS = 5;

/** Distinct models of the strategy files (the first file's parameters win) and the extra ones asked for. */
export function configuredModels(strategyFiles: readonly string[], extra: readonly RegimeModelName[] = []): ConfiguredModel[] {
  const out = new Map<RegimeModelName, ConfiguredModel>();
  for (const f of strategyFiles) {
    if (!existsSync(f)) continue;
    let regime;
    try {
      regime = loadStrategyFile(f).strategy.regime;
    } catch {
      continue; // a broken strategy file is `atlas run`'s to report; the Portfolio page shows it
    }
    const seen = out.get(regime.model);
    const rel = relative(process.cwd(), f);
    const name = rel && !rel.startsWith('..') ? rel : basename(f);
    if (seen) seen.from.push(name);
    else out.set(regime.model, { model: regime.model, params: Object.keys(regime.params).length > 0 ? (regime.params as RegimeParamsInput) : undefined, from: [name] });
  }
  for (const m of extra) {
    const seen = out.get(m);
    if (seen) seen.from.push('--regime-models');
    else out.set(m, { model: m, params: undefined, from: ['--regime-models'] });
  }
  return [...out.values()];
}

export interface ModelRow {
  model: RegimeModelName;
  from: string[];
  period: PeriodResult;
}

export interface ModelComparisonView {
  from: string;
  to: string;
  rows: ModelRow[];
  /** SPY with one regime strip per model. */
  chart: ChartSpec;
}

/** A model's regime history from the store, computed once per store change (the Regime page and the comparison share it). */
export function storedHistory(data: DashboardData, model: RegimeModelName, params?: RegimeParamsInput): RegimeHistory {
  return data.fromStore(`history:${model}:${JSON.stringify(params ?? null)}`, () => regimeFromStore(data.bars, { model, params }).history);
}

/** The comparison of two or more models (null with fewer), recomputed when the store changes. */
export function modelComparison(data: DashboardData, models: readonly ConfiguredModel[]): ModelComparisonView | null {
  if (models.length < 2) return null;
  const key = `regime-models:${JSON.stringify(models.map((m) => [m.model, m.params ?? null]))}`;
  return data.fromStore(key, () => {
    const histories = models.map((m) => storedHistory(data, m.model, m.model === 'seed' ? undefined : m.params));
    const dates = histories[0].dates;
    let first = 0;
    for (const h of histories) first = Math.max(first, h.regime.findIndex((r) => r !== null));
    const from = dates[first];
    const to = dates[dates.length - 1];
    const spy = data.bars.getBars('SPY').map((b) => b.adjClose);
    // The Sharpe-difference interval is not shown here: no resampling.
    const cmp = compareRegimeModels(histories, spy, { from, to, costBps: COMPARE_COST_BPS, bootstrap: { samples: 0, blockLength: 21, seed: 20240601 } });
    const rows = cmp.models.flatMap((r, k) => (r.inSample ? [{ model: models[k].model, from: models[k].from, period: r.inSample }] : []));
    const shown = dates.slice(first);
    const chart: ChartSpec = {
      dates: shown,
      panels: [{ title: 'SPY (adjusted close, log scale)', log: true, unit: 'num', height: 200, series: [{ name: 'SPY', color: '#1f77b4', values: chartValues(spy.slice(first)) }] }],
      strips: models.map((m, k) => ({ title: m.model, runs: regimeRuns(histories[k].regime.slice(first)) })),
    };
    return { from, to, rows, chart };
  });
}
