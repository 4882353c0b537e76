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
import { CASH_SLEEVE, cashLikeSymbols, sleeveCountsAsCash, sleeveLabel, sleeveSymbols, withSleeve, type Sleeve } from '../../portfolio/sleeve.js';
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
  /** symbol -> latest raw close, for every selected symbol and every priced sleeve symbol. */
  prices: Record<string, number>;
  /** The remainder sleeve: its weights are in `targets` too (portfolio/sleeve.ts). Absent = cash. */
  sleeve?: SignalSleeve;
  notes: string[];
}

export interface SignalSleeve {
  /** 'cash', 'etf:BIL', 'defensive:XLP,XLU'. */
  label: string;
  kind: Sleeve['kind'];
  /** Gate 7 counts the sleeve as cash (T-bill ETF or countsAsCash) rather than exposure. */
  countsAsCash: boolean;
  /** Sleeve symbol -> weight (the remainder split over the symbols with a bar on the scan date). */
  weights: Record<string, number>;
  /** Sleeve symbols without a bar on the scan date: their share stays cash. */
  unpriced: string[];
  /** The symbols gate 7 and the plan's exposure cap count as cash. */
  cashLike: string[];
  /** 1 - stocks - sleeve: what stays cash. */
  cashWeight: number;
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
  /** Where the remainder goes (default cash). */
  sleeve?: Sleeve;
}

/** Latest raw close of a symbol on or before `to` (undefined when the store has none). */
export function lastRawClose(store: BarStore, symbol: string, to?: string): number | undefined {
  // The last bar is read from its block alone (the daemon asks for every held symbol every session).
  const last = store.lastBarOnOrBefore(symbol, to ?? '9999-12-31');
  if (last && Number.isFinite(last.close) && last.close > 0) return last.close;
  if (!last) return undefined;
  const bars = store.getBars(symbol, undefined, to);
  for (let i = bars.length - 1; i >= 0; i--) {
    const c = bars[i].close;
    if (Number.isFinite(c) && c > 0) return c;
  }
  return undefined;
}

/**
 * The stock weights plus the remainder sleeve's (portfolio/sleeve.ts withSleeve), with the sleeve
 * symbols' raw closes on `date` added to `prices`. A sleeve symbol trades only with a bar on the
 * scan date, as in the backtest; without one its share stays cash and a note says so.
 */
export function addSleeve(
  store: BarStore,
  sleeve: Sleeve,
  stockWeights: ReadonlyMap<string, number>,
  allocation: number,
  topN: number,
  date: string,
  prices: Record<string, number>,
  notes: string[],
): { weights: Map<string, number>; sleeve: SignalSleeve } {
  const unpriced: string[] = [];
  for (const sym of sleeveSymbols(sleeve)) {
    const bar = store.hasSymbol(sym) ? store.getBars(sym, date, date)[0] : undefined;
    if (bar && bar.close > 0 && Number.isFinite(bar.close)) prices[sym] ??= bar.close;
    else unpriced.push(sym);
  }
  if (unpriced.length > 0) notes.push(`remainder sleeve: no bar on ${date} for ${unpriced.join(', ')}; that share stays cash (run \`atlas data sync --symbols ${unpriced.join(',')}\`)`);
  const weights = withSleeve(stockWeights, sleeve, allocation, topN, (s) => !unpriced.includes(s));
  const sleeveWeights: Record<string, number> = {};
  for (const sym of sleeveSymbols(sleeve)) if (!unpriced.includes(sym)) sleeveWeights[sym] = (weights.get(sym) ?? 0) - (stockWeights.get(sym) ?? 0);
  let total = 0;
  for (const w of weights.values()) total += w;
  return {
    weights,
    sleeve: {
      label: sleeveLabel(sleeve),
      kind: sleeve.kind,
      countsAsCash: sleeveCountsAsCash(sleeve),
      weights: sleeveWeights,
      unpriced,
      cashLike: cashLikeSymbols(sleeve),
      cashWeight: Math.max(0, 1 - total),
    },
  };
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

  const stockWeights = targetWeights(scan.selected, allocation, req.topN);
  const prices: Record<string, number> = {};
  for (const row of scan.rows) if (row.selected) prices[row.symbol] = row.close;
  const { weights, sleeve } = addSleeve(store, req.sleeve ?? CASH_SLEEVE, stockWeights, allocation, req.topN, scan.date, prices, notes);
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
    sleeve,
    notes,
  };
}
