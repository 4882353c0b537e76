/**
 * @module The rebalance signal of a deployed strategy, decided the way the backtest engine
 * decides it (src/backtest/engine.ts step 5): on a scheduled date, a 52-week-high scan with the
 * strategy's scanner settings and allocation/N weights for the regime of the strategy's model;
 * in daily regime mode between scheduled dates, the last chosen names re-weighted to the new
 * allocation (no new scan). Injected into runRebalance as its `signal`; the scanner options come
 * from fromStrategy.ts (momentumOptionsOf), like the backtest's and `atlas rebalance`'s.
 */
import { momentumOptionsOf } from '../../backtest/fromStrategy.js';
import { loadUniversePanel } from '../../selection/universePanel.js';
import { AtlasError } from '../../core/errors.js';
import type { BarStore } from '../../data/store/barStore.js';
import { addSleeve, type RebalanceSignal } from '../../execution/rebalance/signal.js';
import { sleeveOf } from '../../backtest/fromStrategy.js';
import type { AllocationMatrix, Regime } from '../../portfolio/allocation.js';
import { targetWeights } from '../../portfolio/targetWeights.js';
import { scanMomentum } from '../../selection/momentum52w.js';
import type { Universe } from '../../selection/universes.js';
import type { Strategy } from '../../strategy/index.js';

export interface RegimeDecision {
  regime: Regime | null;
  allocation: number;
  summary: string | null;
}

export function strategySignal(
  store: BarStore,
  input: { strategy: Strategy; universe: Universe; session: string; regime: RegimeDecision; kind: 'scan' | 'rescale'; lastChosen: readonly string[] },
): RebalanceSignal {
  const { strategy, universe, session, regime } = input;
  const sc = strategy.scanner;
  const data = loadUniversePanel(store, universe, { to: session, latestOnly: true, lookback: sc.lookback, withVolume: sc.volumeFilter });
  const t = data.panel.dates.length - 1;
  if (t < 0) throw new AtlasError(`No bars stored for universe "${universe.name}" up to ${session}; sync its symbols first.`, { code: 'NO_DATA' });
  const scan = scanMomentum(data.panel, t, momentumOptionsOf(strategy), universe.isMember);
  const selected = input.kind === 'scan' ? scan.selected : [...input.lastChosen];
  const stockWeights = targetWeights(selected, input.regime.allocation, sc.topN);
  const prices: Record<string, number> = {};
  const n = data.panel.dates.length;
  for (const sym of selected) {
    const s = data.panel.symbols.indexOf(sym);
    const px = s >= 0 ? data.panel.close[s * n + t] : Number.NaN;
    if (Number.isFinite(px) && px > 0) prices[sym] = px;
  }
  const notes = input.kind === 'rescale' ? [`daily regime mode: the allocation changed to ${input.regime.allocation}; the last chosen names are re-weighted, no new scan`] : [];
  const { weights, sleeve } = addSleeve(store, sleeveOf(strategy), stockWeights, input.regime.allocation, sc.topN, scan.date, prices, notes);
  const matrix = strategy.regime.allocation as AllocationMatrix;
  const label: Regime = regime.regime ?? (Object.keys(matrix) as Regime[]).find((r) => matrix[r] === regime.allocation) ?? 'TREND_BULL';
  return {
    universe: { name: universe.name, description: universe.description, survivorshipWarning: universe.survivorshipWarning ?? null, missing: data.missing },
    dataDate: scan.date,
    regime: label,
    regimeSource: 'model',
    modelRegime: regime.regime,
    modelDate: session,
    regimeSummary: regime.summary,
    allocation: regime.allocation,
    topN: sc.topN,
    selected,
    scan: scan.rows.map((r) => ({ rank: r.rank, symbol: r.symbol, close: r.close, high52: r.high52, distance: r.distance, passedDistance: r.passedDistance, passedVolume: r.passedVolume, eligible: r.eligible, selected: selected.includes(r.symbol), reason: r.reason })),
    targets: Object.fromEntries(weights),
    prices,
    sleeve,
    notes,
  };
}
