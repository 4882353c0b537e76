/**
 * The rebalancer's signal: regime now (or an override), the 52-week-high scan on the latest data
 * date and the target weights. The same functions the backtester calls (regimeFromStore,
 * loadUniversePanel + scanMomentum, targetWeights); only the "which day" differs: the latest one.
 * Sizing prices are the latest RAW closes (orders are placed in today's shares).
 */
import { AtlasError, describeError } from '../../core/errors.js';
import type { BarStore } from '../../data/store/barStore.js';
import { DEFAULT_ALLOCATION, type AllocationMatrix, type Regime } from '../../portfolio/allocation.js';
import { targetWeights } from '../../portfolio/targetWeights.js';
import { explainDay } from '../../regime/explain.js';
import { regimeFromStore } from '../../regime/fromStore.js';
import type { RegimeParamsInput } from '../../regime/types.js';
import type { RegimeModelName } from '../../regime/models/registry.js';
import { scanMomentum, type MomentumOptions } from '../../selection/momentum52w.js';
import type { Universe } from '../../selection/universes.js';
import { loadUniversePanel } from '../../selection/universePanel.js';

export interface ScanRowView {
  rank: number | null;
  symbol: string;
  close: number;
  high52: number;
  distance: number;
  passedDistance: boolean;
  passedVolume: boolean;
  eligible: boolean;
  selected: boolean;
  reason: string | null;
}

export interface RebalanceSignal {
  universe: { name: string; description: string; survivorshipWarning: string | null; missing: string[] };
  /** The scan date: the latest date with data for the universe. */
  dataDate: string;
  regime: Regime;
  regimeSource: 'model' | 'override';
  /** What the model says on its latest date (null when it has no regime or could not run). */
  modelRegime: Regime | null;
  modelDate: string | null;
  regimeSummary: string | null;
  allocation: number;
  topN: number;
  selected: string[];
  scan: ScanRowView[];
  /** symbol -> weight (allocation / topN for each selected symbol). */
  targets: Record<string, number>;
  /** symbol -> latest raw close, for every selected symbol. */
  prices: Record<string, number>;
  notes: string[];
}

export interface SignalRequest {
  universe: Universe;
  topN: number;
  /** The regime model (default seed), as the backtest uses it. */
  regimeModel?: RegimeModelName;
  regimeOverride?: Regime;
  allocationMatrix?: AllocationMatrix;
  momentum?: Omit<MomentumOptions, 'topN'>;
  /** The regime model's parameters (the strategy's regime.params); default the model's own. */
  regimeParams?: RegimeParamsInput;
}

/** Latest raw close of a symbol on or before `to` (undefined when the store has none). */
export function lastRawClose(store: BarStore, symbol: string, to?: string): number | undefined {
  if (!store.hasSymbol(symbol)) return undefined;
  const bars = store.getBars(symbol, undefined, to);
  for (let i = bars.length - 1; i >= 0; i--) {
    const c = bars[i].close;
    if (Number.isFinite(c) && c > 0) return c;
  }
  return undefined;
}

export function computeSignal(store: BarStore, req: SignalRequest): RebalanceSignal {
  const matrix = req.allocationMatrix ?? DEFAULT_ALLOCATION;
  const notes: string[] = [];
  let modelRegime: Regime | null = null;
  let modelDate: string | null = null;
  let regimeSummary: string | null = null;
  try {
    const { history } = regimeFromStore(store, { ...(req.regimeParams ? { params: req.regimeParams } : {}), ...(req.regimeModel ? { model: req.regimeModel } : {}) });
    const i = history.dates.length - 1;
    modelRegime = history.regime[i];
    modelDate = history.dates[i];
    regimeSummary = explainDay(history, i).summary;
  } catch (err) {
    if (req.regimeOverride === undefined) throw err;
    notes.push(`regime model not available (${describeError(err)}); using the override`);
  }
  let regime: Regime;
  if (req.regimeOverride !== undefined) {
    regime = req.regimeOverride;
    if (modelRegime !== null && modelRegime !== regime) notes.push(`regime override ${regime} replaces the model's ${modelRegime} of ${modelDate}`);
  } else {
    if (modelRegime === null) {
      throw new AtlasError(
        `The regime model has no regime for ${modelDate ?? 'the latest date'} (too little SPY/VIX history); add more history or pass --regime to override.`,
        { code: 'NO_REGIME' },
      );
    }
    regime = modelRegime;
  }
  const allocation = matrix[regime];

  // The panel the backtest loads (loadUniversePanel), cut to the history the latest scan reads.
  const data = loadUniversePanel(store, req.universe, { latestOnly: true, lookback: req.momentum?.lookback, withVolume: req.momentum?.volumeFilter ?? false });
  const t = data.panel.dates.length - 1;
  if (t < 0) throw new AtlasError(`No bars stored for universe "${req.universe.name}"; import or sync its symbols first.`, { code: 'NO_DATA' });
  const scan = scanMomentum(data.panel, t, { ...(req.momentum ?? {}), topN: req.topN }, req.universe.isMember);
  if (data.missing.length > 0) notes.push(`no data stored for ${data.missing.length} universe symbol(s): ${data.missing.slice(0, 8).join(', ')}${data.missing.length > 8 ? ' ...' : ''}`);
  if (modelDate !== null && modelDate !== scan.date) notes.push(`regime date ${modelDate} differs from the scan date ${scan.date}`);

  const weights = targetWeights(scan.selected, allocation, req.topN);
  const prices: Record<string, number> = {};
  for (const row of scan.rows) if (row.selected) prices[row.symbol] = row.close;
  return {
    universe: {
      name: req.universe.name,
      description: req.universe.description,
      survivorshipWarning: req.universe.survivorshipWarning ?? null,
      missing: data.missing,
    },
    dataDate: scan.date,
    regime,
    regimeSource: req.regimeOverride !== undefined ? 'override' : 'model',
    modelRegime,
    modelDate,
    regimeSummary,
    allocation,
    topN: req.topN,
    selected: scan.selected,
    scan: scan.rows.map((r) => ({
      rank: r.rank,
      symbol: r.symbol,
      close: r.close,
      high52: r.high52,
      distance: r.distance,
      passedDistance: r.passedDistance,
      passedVolume: r.passedVolume,
      eligible: r.eligible,
      selected: r.selected,
      reason: r.reason,
    })),
    targets: Object.fromEntries(weights),
    prices,
    notes,
  };
}
