/**
 * @module The ONE mapping from a strategy (it lives at the backtest layer because it builds both
 * the backtest's config and the live request from the layers below) to what runs it: the backtest's config and the live
 * rebalance's universe, signal request, request fields and gate settings. Backtest, sweep, scan,
 * rebalance, status, the daemon (`atlas run`, `atlas replay`) and `atlas parity` all go through
 * these functions, so what is tested and what is traded cannot drift apart.
 */
import { dirname } from 'node:path';
import { AtlasError, describeError } from '../core/errors.js';
import type { BacktestConfig } from './engine.js';
import type { SweepPoint } from './sweep.js';
import type { GateLimits } from '../execution/gates/types.js';
import type { SignalRequest } from '../execution/rebalance/signal.js';
import type { RebalanceRequest } from '../execution/rebalance/types.js';
import { REGIMES, type AllocationMatrix, type Regime } from '../portfolio/allocation.js';
import { NO_REGIME_ALLOCATION } from '../portfolio/targetWeights.js';
import { sleeveCountsAsCash, sleeveLabel, type Sleeve } from '../portfolio/sleeve.js';
import { parseRegimeParams } from '../regime/paramsFlag.js';
import { REGIME_MODEL_NAMES } from '../regime/models/registry.js';
import type { RegimeParamsInput } from '../regime/types.js';
import type { MomentumOptions } from '../selection/momentum52w.js';
import type { Universe } from '../selection/universes.js';
import { shortHash } from '../strategy/hash.js';
import type { Strategy } from '../strategy/schema.js';
import { universeOf } from '../strategy/universe.js';

/** Regime models this build can run: the registry's (docs/regime.md). */
export const SUPPORTED_REGIME_MODELS: readonly string[] = REGIME_MODEL_NAMES;

/** The regime model's parameters, checked like --regime-params; the allocation lives in regime.allocation. */
export function regimeParamsOf(strategy: Strategy): RegimeParamsInput | undefined {
  if (!SUPPORTED_REGIME_MODELS.includes(strategy.regime.model)) {
    throw new AtlasError(`Regime model "${strategy.regime.model}" is not available in this version of Atlas; set regime.model to ${SUPPORTED_REGIME_MODELS.join(' or ')} (or --regime-model).`, { code: 'BAD_STRATEGY' });
  }
  const params = strategy.regime.params;
  if (Object.keys(params).length === 0) return undefined;
  if ('allocation' in params) throw new AtlasError('regime.params must not hold an allocation; put the share per regime in regime.allocation (or --allocation).', { code: 'BAD_STRATEGY' });
  try {
    return parseRegimeParams(JSON.stringify(params));
  } catch (err) {
    throw new AtlasError(describeError(err).replace(/^--regime-params/, 'regime.params'), { code: 'BAD_STRATEGY' });
  }
}

/** The strategy's remainder sleeve (symbols upper-cased, as the store keys them). */
export function sleeveOf(strategy: Strategy): Sleeve {
  const s = strategy.sleeve;
  if (s.kind === 'cash') return { kind: 'cash' };
  if (s.kind === 'etf') return { kind: 'etf', symbol: s.symbol.toUpperCase(), ...(s.countsAsCash !== undefined ? { countsAsCash: s.countsAsCash } : {}) };
  return { kind: 'defensive', symbols: s.symbols.map((x) => x.toUpperCase()), ...(s.countsAsCash !== undefined ? { countsAsCash: s.countsAsCash } : {}) };
}

export function momentumOptionsOf(strategy: Strategy): Required<MomentumOptions> {
  const s = strategy.scanner;
  return { topN: s.topN, minDistance: s.minDistance, lookback: s.lookback, volumeFilter: s.volumeFilter, volumeMultiplier: s.volumeMultiplier, volumeWindow: s.volumeWindow };
}

/**
 * The allocation matrix the strategy applies: its own in modes rebalance and daily; in mode off
 * every regime allocates fully (the engine's NO_REGIME_ALLOCATION), so live sizing and gate 7
 * see what the backtest does.
 */
export function appliedAllocation(strategy: Strategy): AllocationMatrix {
  if (strategy.regime.mode === 'off') return Object.fromEntries(REGIMES.map((r) => [r, NO_REGIME_ALLOCATION])) as Record<Regime, number>;
  return { ...strategy.regime.allocation };
}

/** Everything of a BacktestConfig the strategy decides (the caller adds dates, cash and the universe). */
export function backtestConfigOf(strategy: Strategy): Required<Pick<BacktestConfig, 'topN' | 'minDistance' | 'volumeFilter' | 'volumeMultiplier' | 'lookback' | 'volumeWindow' | 'rebalance' | 'regimeMode' | 'allocation' | 'fill' | 'commissionBps' | 'slippageBps' | 'wholeShares' | 'minNotional' | 'sleeve' | 'regimeTolerance'>> {
  const m = momentumOptionsOf(strategy);
  return {
    ...m,
    rebalance: strategy.rebalance,
    regimeMode: strategy.regime.mode,
    allocation: { ...strategy.regime.allocation },
    fill: strategy.fill,
    commissionBps: strategy.costs.commissionBps,
    slippageBps: strategy.costs.slippageBps,
    wholeShares: strategy.wholeShares,
    minNotional: strategy.minNotional,
    sleeve: sleeveOf(strategy),
    regimeTolerance: strategy.gates.regimeTolerance,
  };
}

/** A strategy as one sweep point: the same config backtestConfigOf gives, split the way the workers take it. */
export function sweepPointOf(strategy: Strategy): SweepPoint {
  const { topN, minDistance, rebalance, regimeMode, ...config } = backtestConfigOf(strategy);
  return { topN, minDistance, rebalance, regimeMode, regimeModel: strategy.regime.model, config };
}

/** The live rebalance's signal request: the same scanner options, regime parameters and allocation. */
export function signalRequestOf(strategy: Strategy, universe: Universe, regimeOverride?: Regime): SignalRequest {
  const { topN, ...momentum } = momentumOptionsOf(strategy);
  const regimeParams = regimeParamsOf(strategy);
  return {
    universe,
    topN,
    ...(regimeOverride ? { regimeOverride } : {}),
    allocationMatrix: appliedAllocation(strategy),
    momentum,
    regimeModel: strategy.regime.model,
    sleeve: sleeveOf(strategy),
    ...(regimeParams ? { regimeParams } : {}),
  };
}

/**
 * The strategy's universe: relative paths resolve against the strategy file's folder (the working
 * directory for the built-in defaults), membership renames applied.
 */
export function universeOfStrategy(loaded: { strategy: Strategy; path: string | null }, cwd: string = process.cwd()): Universe {
  return universeOf(loaded.strategy.universe, loaded.path ? dirname(loaded.path) : cwd);
}

/** The fields of a live rebalance request the strategy decides. */
export type StrategyRequestFields = Pick<RebalanceRequest, 'universe' | 'topN' | 'regimeOverride' | 'strategyHash' | 'allocationMatrix' | 'gateLimits' | 'strict' | 'minNotional' | 'buyPriceBuffer' | 'priceBand' | 'sellCostBps'>;

/**
 * Everything of a live rebalance request the strategy decides: universe, top N, the allocation
 * gate 7 checks, the gate limits and settings, the minimum order. The caller adds the account,
 * the broker and how the run is driven (dry run, force, confirmation, resume, timeouts).
 */
export function rebalanceRequestOf(strategy: Strategy, universe: Universe, opts: { hash?: string; regimeOverride?: Regime } = {}): StrategyRequestFields {
  const signal = signalRequestOf(strategy, universe, opts.regimeOverride);
  return {
    universe,
    topN: signal.topN,
    ...(opts.regimeOverride ? { regimeOverride: opts.regimeOverride } : {}),
    ...(opts.hash ? { strategyHash: opts.hash } : {}),
    ...(signal.allocationMatrix ? { allocationMatrix: signal.allocationMatrix } : {}),
    gateLimits: gateLimitsOf(strategy),
    strict: strategy.gates.strict,
    minNotional: strategy.minNotional,
    buyPriceBuffer: strategy.gates.buyPriceBuffer,
    priceBand: strategy.gates.priceBand,
    sellCostBps: sellCostBpsOf(strategy),
  };
}

/**
 * The strategy's all-in cost of a sell in bps, as the backtest's plan counts it: slippage and
 * commission compounded, ((1 + s)(1 + c) - 1) x 10,000 (engine.ts planCost).
 */
export function sellCostBpsOf(strategy: Strategy): number {
  const s = strategy.costs.slippageBps / 10_000;
  const c = strategy.costs.commissionBps / 10_000;
  return ((1 + s) * (1 + c) - 1) * 10_000;
}

/** The gate limits the strategy sets (gates 3 and 7). */
export function gateLimitsOf(strategy: Strategy): Partial<GateLimits> {
  return { maxPositionPct: strategy.gates.maxPositionPct, regimeTolerance: strategy.gates.regimeTolerance };
}

/** The strategy's parameters in one line, for terminal output and plans. */
export function describeStrategy(strategy: Strategy, hash: string): string {
  const s = strategy.scanner;
  const a = strategy.regime.allocation;
  const universe = 'builtin' in strategy.universe ? strategy.universe.builtin : 'file' in strategy.universe ? strategy.universe.file : 'sector' in strategy.universe ? strategy.universe.sector : strategy.universe.membership;
  return [
    `strategy ${strategy.name} (hash ${shortHash(hash)})`,
    `universe ${universe}`,
    `top ${s.topN}, min distance ${s.minDistance}, lookback ${s.lookback}, volume filter ${s.volumeFilter ? `on (${s.volumeMultiplier}x ${s.volumeWindow}-session average)` : 'off'}`,
    `${strategy.rebalance} rebalance`,
    `regime ${strategy.regime.model} mode ${strategy.regime.mode}, allocation ${a.TREND_BULL}/${a.TREND_NEUTRAL}/${a.TREND_BEAR}/${a.CRASH}`,
    `sleeve ${sleeveLabel(sleeveOf(strategy))}${strategy.sleeve.kind === 'cash' ? '' : sleeveCountsAsCash(sleeveOf(strategy)) ? ' (counts as cash for gate 7)' : ' (counts as exposure for gate 7)'}`,
  ].join('; ');
}

/** The strategy block every run's JSON carries. */
export function strategyJson(e: { strategy: Strategy; hash: string; path: string | null; fileHash?: string | null; overrides?: readonly string[] }): Record<string, unknown> {
  return { path: e.path, hash: e.hash, shortHash: shortHash(e.hash), fileHash: e.fileHash ?? null, overrides: e.overrides ?? [], settings: e.strategy };
}
