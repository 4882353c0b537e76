/**
 * @module A finished `atlas sweep` as a row of the research store (kind 'sweep'), so the
 * dashboard's Research page lists it beside the backtests: the configuration count, the grid, the
 * best configuration and its hash, the deflated Sharpe ratio and the PBO when they could be
 * computed, and the metrics of the best-ranked configurations. A sweep writes no report file; the
 * dashboard draws its page from this row.
 */
import type { BacktestMetrics } from '../metrics.js';
import type { OverfittingReport } from '../overfitting.js';
import type { ResearchStore } from './researchStore.js';

/** How many ranked configurations keep their metrics in the row (the rest are counted only). */
export const SWEEP_ROWS_KEPT = 20;

export interface SweepRecordInput {
  at: Date;
  universe: string;
  /** The base strategy's content hash and file (null: built-in defaults). */
  baseHash: string;
  basePath: string | null;
  rankBy: string;
  grid: Record<string, unknown[]>;
  /** Best first. */
  ranked: readonly { rank: number; hash: string; values: Record<string, unknown>; result: { metrics: BacktestMetrics } }[];
  overfitting: OverfittingReport;
  /** The panel's sessions and the sweep's --from/--to: the period recorded is their overlap. */
  dates: readonly string[];
  from?: string;
  to?: string;
  simulated: boolean;
}

/** A grid point in words: "topN 5, minDistance 0.9, regimeMode daily". */
export function sweepValuesText(values: Record<string, unknown>): string {
  return Object.entries(values).map(([k, v]) => `${k} ${typeof v === 'object' && v !== null ? Object.values(v).join('/') : String(v)}`).join(', ');
}

/** The key of a ranked configuration in the row's metrics: "#1 topN 5, minDistance 0.9 (hash 1a2b3c4d)". */
export function sweepRowName(r: { rank: number; hash: string; values: Record<string, unknown> }): string {
  const values = sweepValuesText(r.values);
  return `#${r.rank} ${values || 'base strategy'} (${r.hash.slice(0, 8)})`;
}

export function recordSweep(store: ResearchStore, s: SweepRecordInput): number {
  const best = s.ranked[0];
  const dsr = s.overfitting.deflatedSharpe;
  const pbo = s.overfitting.pbo;
  const inside = s.dates.filter((d) => (!s.from || d >= s.from) && (!s.to || d <= s.to));
  return store.record({
    kind: 'sweep',
    createdAt: s.at.toISOString(),
    title: `sweep of ${s.universe}: ${s.ranked.length} configurations by ${s.rankBy}`,
    strategyHash: best?.hash ?? null,
    firstDate: inside[0] ?? s.from ?? '',
    lastDate: inside[inside.length - 1] ?? s.to ?? '',
    simulated: s.simulated,
    settings: {
      universe: s.universe,
      configurations: s.ranked.length,
      'rank by': s.rankBy,
      'base strategy': `${s.basePath ?? 'built-in defaults'} (${s.baseHash.slice(0, 8)})`,
      grid: JSON.stringify(s.grid),
      'best configuration': best ? sweepValuesText(best.values) || 'base strategy' : 'none',
      'best strategy hash': best?.hash ?? 'none',
      'deflated Sharpe': dsr ? dsr.dsr : 'not computed',
      'deflated Sharpe trials': dsr ? dsr.trials : 0,
      PBO: pbo ? pbo.pbo : 'not available (fewer than two configurations or too few sessions)',
      ...(pbo ? { 'PBO blocks': pbo.blocks, 'probability of loss': pbo.probabilityOfLoss } : {}),
    },
    metrics: Object.fromEntries(s.ranked.slice(0, SWEEP_ROWS_KEPT).map((r) => [sweepRowName(r), r.result.metrics])),
    reportPath: null,
  });
}
