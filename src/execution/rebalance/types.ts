/**
 * @module The rebalance run's public types: the request, the injected dependencies (one Clock,
 * the broker, the run store, the audit directory) and the result.
 */
import type { Clock } from '../../core/clock.js';
import type { BarStore } from '../../data/store/barStore.js';
import type { AllocationMatrix, Regime } from '../../portfolio/allocation.js';
import type { Universe } from '../../selection/universes.js';
import type { Broker } from '../brokers/broker.js';
import type { GateLimits, GateResult } from '../gates/types.js';
import type { SkippedOrder } from '../orderPlan.js';
import type { BrokerSnapshot, WorkingOrderRow } from './plan.js';
import type { PreflightResult } from '../preflight/types.js';
import type { OrderLeg } from './runId.js';
import type { RunOrderRecord, RunStore } from './runStore.js';
import type { RebalanceSignal } from './signal.js';

export type OnTimeout = 'cancel' | 'leave';

export interface RebalanceRequest {
  universe: Universe;
  topN: number;
  regimeOverride?: Regime;
  account: string;
  /** Broker kind for the run id and the audit log: 'paper' or 'alpaca'. */
  brokerKind: string;
  dryRun?: boolean;
  force?: boolean;
  strict?: boolean;
  /** Skip the confirmation. Without it and without a confirm callback the run is refused. */
  yes?: boolean;
  resumeRunId?: string;
  /** Close this run: reconcile, cancel what still works (after confirmation or `yes`), end it ABANDONED. */
  abandonRunId?: string;
  onTimeout?: OnTimeout;
  /** How long each phase waits for its fills once the market is open. Default 300 s. */
  fillTimeoutMs?: number;
  /** Pause between order polls. Default 1 s. */
  pollMs?: number;
  /** How long to wait for a cancel to be confirmed. Default 10 s. */
  cancelWaitMs?: number;
  minNotional?: number;
  /** Market buys are costed at last price x (1 + buffer) (default 3%). */
  buyPriceBuffer?: number;
  /**
   * The strategy's expected cost of a SELL (commission and slippage, bps of its notional): the
   * plan's BUYs count on the SELL proceeds net of it, as the backtest's plan does (default 0).
   */
  sellCostBps?: number;
  /** Stale data WARNs instead of refusing the run (--allow-stale). */
  allowStale?: boolean;
  /** Largest accepted gap between the broker's latest trade and the store's close (default 10%). */
  priceBand?: number;
  /** Content hash of the strategy file the run trades (recorded in RUN_START and the run's params). */
  strategyHash?: string;
  /** The strategy's allocation per regime, for gate 7 (default DEFAULT_ALLOCATION). */
  allocationMatrix?: AllocationMatrix;
  /** The strategy's gate limits (position cap, regime tolerance) for the plan's validation. */
  gateLimits?: Partial<GateLimits>;
  /**
   * BUYs are sent only while the market is open (`atlas run`): a run decided after the close
   * keeps its BUYs unsent, also when it has no SELLs, and the resume after the open re-sizes them
   * to the cash at the latest price and sends them, as the backtest sizes its buys at the open.
   * Without it a buy-only run queues its BUYs at the broker at once, sized at the close.
   */
  buysAfterOpen?: boolean;
}

/** Test seams that model a process dying: an error thrown here skips all audit/state handling. */
export interface RebalanceHooks {
  afterPersist?(runId: string): void | Promise<void>;
  afterSubmit?(order: RunOrderRecord): void | Promise<void>;
  afterPhase?(phase: 'sells' | 'buys'): void | Promise<void>;
}

/**
 * The pre-trade step: runs after the broker snapshot and before the gates (pre-flight checks);
 * `runStart` / `runEnd` bracket every live run (the account lease). Throwing refuses the run.
 */
export interface PreTrade {
  runStart?(runId: string): void | Promise<void>;
  check?(input: { runId: string; snapshot: BrokerSnapshot; symbols: readonly string[] }): void | Promise<void>;
  runEnd?(runId: string): void | Promise<void>;
}

export interface RebalanceDeps {
  broker: Broker;
  runs: RunStore;
  /** Directory of execution_log.csv (the data directory). */
  auditDir: string;
  /** Values redacted from every audit line. */
  secrets?: readonly string[];
  /** The one clock: time stamps, the market session, fill timeouts and poll pauses. */
  clock?: Clock;
  /** @deprecated pass `clock`; kept while older callers (the demo command) migrate. */
  now?: () => Date;
  /** @deprecated pass `clock`. */
  sleep?: (ms: number) => Promise<void>;
  /** Store for the signal and the last prices; required unless `signal` is given. */
  store?: BarStore;
  /** Replaces computeSignal(store, ...) (tests). */
  signal?: (req: RebalanceRequest) => RebalanceSignal;
  /** Last raw close of a symbol (default: from the store). */
  lastPrice?: (symbol: string) => number | undefined;
  /** Shown the plan and gate report before confirmation (the CLI prints it). */
  onPreview?: (preview: RebalanceResult) => void;
  /** Asks for confirmation; absent = no TTY. */
  confirm?: (preview: RebalanceResult) => Promise<boolean>;
  /** Progress notes for a person (stderr). */
  note?: (text: string) => void;
  hooks?: RebalanceHooks;
  preTrade?: PreTrade;
}

export type RebalanceOutcome =
  | 'dry_run'
  | 'nothing_to_do'
  | 'stopped'
  | 'declined'
  | 'queued'
  | 'completed'
  | 'completed_with_issues'
  | 'already_completed'
  | 'abandoned';

export interface PlanOrderView {
  clientOrderId: string;
  leg: OrderLeg;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  intent: string;
  refPrice: number;
  notional: number;
}

export interface AllocationView {
  equity: number;
  exposure: number;
  exposurePct: number;
  positions: { symbol: string; qty: number; value: number; weight: number }[];
}

export interface RunSummary {
  planned: number;
  submitted: number;
  filled: number;
  partiallyFilled: number;
  canceled: number;
  rejected: number;
  leftOpen: number;
  /** Sent while the market was closed and still waiting for the open. */
  queued: number;
  skipped: number;
  /** Buys sent with fewer shares than planned (re-sized to the cash available). */
  resized: number;
  notSent: number;
  /** Orders the broker no longer knows, or never-sent orders closed by --abandon. */
  abandoned: number;
  boughtNotional: number;
  soldNotional: number;
}

export interface BuyPhaseView {
  budget: number;
  cash: number;
  regimeRoom: number;
  cost: number;
  scale: number;
  skipped: string[];
  validation: GateResult[];
}

export interface RebalanceResult {
  runId: string;
  outcome: RebalanceOutcome;
  dryRun: boolean;
  resumed: boolean;
  account: string;
  broker: string;
  signal: RebalanceSignal | null;
  plan: { equity: number; cash: number; buyingPower: number; cashAfter: number; orders: PlanOrderView[]; skipped: SkippedOrder[] } | null;
  validation: GateResult[] | null;
  /** Allocation after the plan, as the gates compute it. */
  resulting: AllocationView | null;
  buyPhase: BuyPhaseView | null;
  orders: RunOrderRecord[];
  /** Account read back from the broker at the end of a live run. */
  final: AllocationView | null;
  stoppedBy: { gate: number; name: string; reason: string } | null;
  /** The pre-flight checks (P1..P5) of a fresh run, before the seven gates. */
  preflight?: PreflightResult[];
  /** Working orders at the broker the plan and the gates counted (any run's). */
  working?: WorkingOrderRow[];
  /** Outcome 'queued': when the market opens next (ISO), and the command that finishes the run. */
  queued: { nextOpen: string | null; phase: 'sells' | 'buys'; resume: string } | null;
  summary: RunSummary;
  notes: string[];
}
