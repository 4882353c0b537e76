/**
 * @module Each remainder-sleeve choice side by side (`atlas backtest --compare-sleeves`): the
 * strategy's own regime mode run once per sleeve (cash, the configured sleeve, or a T-bill ETF
 * when the strategy holds cash), on the same panel, sessions and decisions.
 */
import type { Panel } from '../data/panel.js';
import { sleeveLabel, type Sleeve } from '../portfolio/sleeve.js';
import type { RegimeMode } from '../portfolio/targetWeights.js';
import { compareStrategies } from './compare.js';
import type { BacktestConfig, RegimeSeries } from './engine.js';
import type { BacktestMetrics } from './metrics.js';
import type { SleeveReport } from './sleeveRun.js';

export interface SleeveRun {
  /** 'cash', 'etf:BIL', 'defensive:XLP,XLU'. */
  sleeve: string;
  metrics: BacktestMetrics;
  /** Mean share of equity held in the sleeve. */
  averageSleeve: number;
  finalEquity: number;
  report: SleeveReport;
  /** The run's sleeve warnings (sessions without a sleeve price, held as cash). */
  warnings: string[];
}

/** The sleeves to compare: cash and the configured one; a cash strategy is compared with BIL. */
export function sleeveChoices(configured: Sleeve): Sleeve[] {
  return configured.kind === 'cash' ? [configured, { kind: 'etf', symbol: 'BIL' }] : [{ kind: 'cash' }, configured];
}

export function compareSleeves(panel: Panel, regimes: RegimeSeries | null, mode: RegimeMode, config: BacktestConfig, sleeves: readonly Sleeve[], options: { rfAnnual?: number } = {}): SleeveRun[] {
  return sleeves.map((sleeve) => {
    const run = compareStrategies(panel, regimes, null, [mode], { ...config, sleeve }, options).runs[0];
    const r = run.result;
    let sum = 0;
    for (const x of r.sleeveExposure) sum += x;
    return {
      sleeve: sleeveLabel(sleeve),
      metrics: run.metrics,
      averageSleeve: r.sleeveExposure.length ? sum / r.sleeveExposure.length : 0,
      finalEquity: r.equity[r.equity.length - 1],
      report: r.sleeve,
      warnings: r.warnings.filter((w) => w.startsWith('Remainder sleeve:')),
    };
  });
}
