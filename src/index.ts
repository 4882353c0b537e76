/**
 * The public API of `import ... from 'atlas-trading'` (docs/library.md): the data store, the
 * regime model, the scanner and universes, the backtest and its metrics, the planner, the seven
 * gates and the brokers, with their types. Everything else is internal and may change.
 */

// Core
export { AtlasError, TransientError, isAtlasError, describeError } from './core/errors.js';
export { systemClock, ManualClock, type Clock } from './core/clock.js';
export { redact } from './core/redact.js';
export { parseEnv, loadDotEnv, secretValues, type AtlasEnv } from './config/env.js';
export { resolveDataDir } from './config/dataDir.js';
export { isTradingDay, sessionsBetween, sessionOnOrBefore } from './calendar/nyse.js';

// Data store
export type { DailyBar, CorporateAction, BarSeries } from './data/bar.js';
export { BarStore, type SymbolInfo } from './data/store/barStore.js';
export { openDatabase, STORE_FILE } from './data/store/database.js';
export { loadPanel, type LoadPanelOptions } from './data/store/panelLoader.js';
export { panelFromBars, column, cell, symbolIndex, PANEL_FIELDS, type Panel, type PanelField } from './data/panel.js';
export { importCsvFiles, type ImportReport } from './data/importCsv.js';
export { syncSymbols, type SyncOptions, type SyncResult } from './data/sync.js';
export { checkBars, splitLikeRatio, SPLIT_RATIOS, type QualityReport, type QualityIssue, type QualityOptions } from './data/quality.js';
export { buildDemoMarket, DEMO_MARKET_LABEL, type DemoMarket, type DemoMarketOptions } from './data/demo/index.js';
export { installDemoMarket, type DemoSummary } from './data/demoInstall.js';
export { SIMULATED_NOTE, simulatedSymbols } from './data/simulated.js';

// Regime model
export {
  computeRegimeHistory,
  summariseRegimes,
  explainDay,
  resolveParams,
  DEFAULT_REGIME_PARAMS,
  type RegimeHistory,
  type RegimeParams,
  type RegimeParamsInput,
  type RegimeSummary,
  type DayExplanation,
} from './regime/index.js';
export { regimeFromStore, type StoredRegime } from './regime/fromStore.js';

// Universes and the 52-week-high scanner
export { getUniverse, parseUniverseFile, bySector, staticUniverse, builtinUniverseNames, BUILTIN_UNIVERSES, type Universe } from './selection/universes.js';
export { resolveUniverse, membershipCoverage, type UniverseFlags, type MembershipCoverage } from './selection/resolveUniverse.js';
export {
  scanMomentum,
  DEFAULT_TOP_N,
  DEFAULT_MIN_DISTANCE,
  DEFAULT_LOOKBACK,
  type MomentumOptions,
  type MomentumRow,
  type MomentumScan,
} from './selection/momentum52w.js';

// Portfolio construction and the order planner
export { REGIMES, DEFAULT_ALLOCATION, allocationFor, isRegime, type Regime, type AllocationMatrix } from './portfolio/allocation.js';
export { targetWeights, allocationForDay, NO_REGIME_ALLOCATION, type RegimeMode } from './portfolio/targetWeights.js';
export { planOrders, type PlanInput, type OrderPlan, type PlannedOrder, type SkippedOrder, type OrderIntent } from './execution/orderPlan.js';

// The seven gates
export {
  validateBatch,
  formatGateResults,
  GATES,
  DEFAULT_GATE_LIMITS,
  type GateContext,
  type GateOrder,
  type GateResult,
  type GateVerdict,
  type GateLimits,
  type BatchValidation,
} from './execution/gates/index.js';

// Brokers and the live rebalance
export type { Broker, Account, Position, Asset, Order, OrderRequest, OrderStatus, MarketClock } from './execution/brokers/broker.js';
export { createBroker, parseBrokerKind, type BrokerKind, type CreateBrokerOptions } from './execution/brokers/factory.js';
export { PaperBroker, type PaperBrokerOptions } from './execution/brokers/paper/index.js';
export { AlpacaBroker, type AlpacaBrokerOptions } from './execution/brokers/alpaca/index.js';
export { runRebalance, type RebalanceRequest, type RebalanceDeps, type RebalanceResult } from './execution/rebalance/orchestrator.js';
export { computeSignal, type RebalanceSignal, type SignalRequest } from './execution/rebalance/signal.js';
export { RunStore } from './execution/rebalance/runStore.js';
export { formatPlanReport, formatExecutionReport } from './execution/rebalance/report.js';

// Backtest and metrics
export {
  runBacktest,
  resolveBacktestConfig,
  type BacktestConfig,
  type BacktestResult,
  type RegimeSeries,
  type RebalanceRecord,
  type Trade,
  type FillModel,
  type RebalanceFrequency,
} from './backtest/engine.js';
export { compareStrategies, liveGateSummary, liveGateFailures, type Comparison, type StrategyRun, type StrategyName } from './backtest/compare.js';
export { loadStrategyData, type StrategyData } from './backtest/strategyData.js';
export { defaultBacktestStart, type DefaultStart } from './backtest/defaultStart.js';
export { computeMetrics, perRegimeReturns, type BacktestMetrics, type RegimeStat } from './backtest/metrics.js';
export { parseGate, checkGate, type GateCondition, type GateCheck } from './backtest/gate.js';
export { renderReport, type ReportContext } from './backtest/report/html.js';
export { runSweep, parseGrid, rankResults, type SweepGrid, type SweepResult } from './backtest/sweep.js';
