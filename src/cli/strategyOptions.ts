/**
 * @module Strategy fields as flags. Every command that uses a strategy takes `--strategy FILE`
 * (default ./atlas.strategy.json when it exists, else the built-in defaults) and one flag per field
 * it uses; a flag given on the command line overrides its field for that run. The flags carry no
 * commander defaults, so "not given" is distinguishable from "given the default value".
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { AtlasError } from '../core/errors.js';
import { defaultStrategy, DEFAULT_STRATEGY_FILE, loadStrategyFile, strategyHash, validateStrategy, type LoadedStrategy, type Strategy } from '../strategy/index.js';

type Draft = Record<string, unknown> & { scanner: Record<string, unknown>; regime: Record<string, unknown>; costs: Record<string, unknown>; gates: Record<string, unknown> };

interface FieldFlag {
  /** The commander flag spelling, e.g. '--top-n <n>'. */
  flags: string;
  description: string;
  group: 'universe' | 'scanner' | 'rebalance' | 'regime' | 'sleeve' | 'costs' | 'orders' | 'gates';
  choices?: readonly string[];
  apply(draft: Draft, raw: unknown): void;
}

function num(flag: string, raw: unknown): number {
  const v = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'string' && raw.trim() === '') throw new AtlasError(`${flag} needs a number.`, { code: 'BAD_FLAG' });
  if (!Number.isFinite(v)) throw new AtlasError(`${flag} must be a number, got "${String(raw)}".`, { code: 'BAD_FLAG' });
  return v;
}

function jsonFlag(flag: string, raw: unknown): unknown {
  try {
    return JSON.parse(String(raw));
  } catch {
    throw new AtlasError(`${flag} must be JSON, e.g. '{"vixFloor": null}'; got ${String(raw).slice(0, 40)}.`, { code: 'BAD_FLAG' });
  }
}

/** 'cash' | 'etf:BIL' | 'defensive:XLP,XLU' -> a sleeve spec. */
export function parseSleeveFlag(raw: string): Strategy['sleeve'] {
  const [kind, rest] = raw.split(':', 2) as [string, string | undefined];
  if (kind === 'cash' && rest === undefined) return { kind: 'cash' };
  if (kind === 'etf' && rest) return { kind: 'etf', symbol: rest.trim().toUpperCase() };
  if (kind === 'defensive' && rest) return { kind: 'defensive', symbols: rest.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) };
  throw new AtlasError(`--sleeve must be cash, etf:SYMBOL or defensive:SYM1,SYM2; got "${raw}".`, { code: 'BAD_FLAG' });
}

/** "1,0.7,0.3,0" (BULL, NEUTRAL, BEAR, CRASH) or a JSON object. */
export function parseAllocationFlag(raw: string): Record<string, number> {
  const t = raw.trim();
  if (t.startsWith('{')) return jsonFlag('--allocation', t) as Record<string, number>;
  const parts = t.split(',').map((p) => num('--allocation', p));
  if (parts.length !== 4) throw new AtlasError(`--allocation takes four fractions for TREND_BULL,TREND_NEUTRAL,TREND_BEAR,CRASH (e.g. 1,0.7,0.3,0); got "${raw}".`, { code: 'BAD_FLAG' });
  return { TREND_BULL: parts[0], TREND_NEUTRAL: parts[1], TREND_BEAR: parts[2], CRASH: parts[3] };
}

export const FIELD_FLAGS: Readonly<Record<string, FieldFlag>> = {
  universe: { flags: '--universe <name>', group: 'universe', description: 'built-in universe: technology, healthcare, financials, sp500_proxy', apply: (d, v) => (d.universe = { builtin: String(v) }) },
  universeFile: { flags: '--universe-file <file>', group: 'universe', description: 'a symbol list (one per line) or point-in-time membership rows ticker,start_date,end_date', apply: (d, v) => (d.universe = { file: String(v) }) },
  sector: {
    flags: '--sector <name>',
    group: 'universe',
    description: 'a GICS sector from --constituents, e.g. "Information Technology"',
    apply: (d, v) => (d.universe = { sector: String(v), constituents: (d.universe as { constituents?: string }).constituents ?? '' }),
  },
  constituents: {
    flags: '--constituents <file>',
    group: 'universe',
    description: 'GICS constituents CSV (Symbol, GICS Sector, ...) for --sector',
    apply: (d, v) => (d.universe = { ...(d.universe as object), constituents: String(v) }),
  },
  topN: { flags: '--top-n <n>', group: 'scanner', description: 'number of stocks to hold', apply: (d, v) => (d.scanner.topN = num('--top-n', v)) },
  minDistance: { flags: '--min-distance <x>', group: 'scanner', description: 'minimum close / 52-week high to be eligible', apply: (d, v) => (d.scanner.minDistance = num('--min-distance', v)) },
  lookback: { flags: '--lookback <sessions>', group: 'scanner', description: 'sessions in the 52-week high', apply: (d, v) => (d.scanner.lookback = num('--lookback', v)) },
  volumeFilter: { flags: '--volume-filter', group: 'scanner', description: 'also require volume > multiplier x its average', apply: (d, v) => (d.scanner.volumeFilter = v === true) },
  volumeMultiplier: { flags: '--volume-multiplier <x>', group: 'scanner', description: 'volume filter multiple', apply: (d, v) => (d.scanner.volumeMultiplier = num('--volume-multiplier', v)) },
  volumeWindow: { flags: '--volume-window <sessions>', group: 'scanner', description: 'sessions in the volume average', apply: (d, v) => (d.scanner.volumeWindow = num('--volume-window', v)) },
  rebalance: { flags: '--rebalance <freq>', group: 'rebalance', choices: ['monthly', 'quarterly', 'semiannual'], description: 'rebalance calendar', apply: (d, v) => (d.rebalance = v) },
  regimeModel: { flags: '--regime-model <name>', group: 'regime', description: 'regime model (docs/regime.md)', apply: (d, v) => (d.regime.model = String(v)) },
  regimeParams: { flags: '--regime-params <json>', group: 'regime', description: 'regime-model parameters, e.g. \'{"vixFloor":null}\'', apply: (d, v) => (d.regime.params = jsonFlag('--regime-params', v)) },
  regimeMode: { flags: '--regime-mode <mode>', group: 'regime', choices: ['off', 'rebalance', 'daily'], description: 'off, rebalance (scale at rebalances) or daily', apply: (d, v) => (d.regime.mode = v) },
  allocation: { flags: '--allocation <fractions>', group: 'regime', description: 'stock share per regime: BULL,NEUTRAL,BEAR,CRASH, e.g. 1,0.7,0.3,0', apply: (d, v) => (d.regime.allocation = parseAllocationFlag(String(v))) },
  sleeve: { flags: '--sleeve <spec>', group: 'sleeve', description: 'where the unallocated share goes: cash, etf:BIL, defensive:XLP,XLU', apply: (d, v) => (d.sleeve = parseSleeveFlag(String(v))) },
  commissionBps: { flags: '--commission-bps <n>', group: 'costs', description: 'commission per trade, basis points of notional', apply: (d, v) => (d.costs.commissionBps = num('--commission-bps', v)) },
  slippageBps: { flags: '--slippage-bps <n>', group: 'costs', description: 'slippage per trade, basis points', apply: (d, v) => (d.costs.slippageBps = num('--slippage-bps', v)) },
  fill: { flags: '--fill <model>', group: 'costs', choices: ['open', 'close'], description: 'open = next session open; close = the decision close (optimistic)', apply: (d, v) => (d.fill = v) },
  wholeShares: { flags: '--whole-shares', group: 'orders', description: 'trade whole shares only', apply: (d) => (d.wholeShares = true) },
  fractional: { flags: '--fractional', group: 'orders', description: 'allow fractional shares', apply: (d) => (d.wholeShares = false) },
  minNotional: { flags: '--min-notional <usd>', group: 'orders', description: 'smallest order worth sending', apply: (d, v) => (d.minNotional = num('--min-notional', v)) },
  maxPositionPct: { flags: '--max-position-pct <x>', group: 'gates', description: 'largest position as a share of equity (gate 3)', apply: (d, v) => (d.gates.maxPositionPct = num('--max-position-pct', v)) },
  regimeTolerance: { flags: '--regime-tolerance <x>', group: 'gates', description: "slack above the regime's allocation (gate 7)", apply: (d, v) => (d.gates.regimeTolerance = num('--regime-tolerance', v)) },
  strict: { flags: '--strict', group: 'gates', description: 'a position-size breach fails instead of warning', apply: (d) => (d.gates.strict = true) },
  buyPriceBuffer: { flags: '--buy-price-buffer <x>', group: 'gates', description: 'market buys costed at last price x (1 + x)', apply: (d, v) => (d.gates.buyPriceBuffer = num('--buy-price-buffer', v)) },
  priceBand: { flags: '--price-band <x>', group: 'gates', description: "largest accepted gap between the broker's latest trade and the store's close", apply: (d, v) => (d.gates.priceBand = num('--price-band', v)) },
};

export type FieldFlagName = keyof typeof FIELD_FLAGS;
export const ALL_FIELD_FLAGS = Object.keys(FIELD_FLAGS) as FieldFlagName[];

/** Adds --strategy and the given field flags (all by default) to a command. */
export function addStrategyOptions(cmd: Command, names: readonly FieldFlagName[] = ALL_FIELD_FLAGS): Command {
  cmd.option('--strategy <file>', `strategy file (default ./${DEFAULT_STRATEGY_FILE} when present, else the built-in defaults)`);
  for (const n of names) {
    const f = FIELD_FLAGS[n];
    const opt = new Option(f.flags, `${f.description} (overrides the strategy file)`);
    if (f.choices) opt.choices(f.choices);
    cmd.addOption(opt);
    // Both spellings set one attribute, so a file's `volumeFilter: true` can be switched off per run.
    if (n === 'volumeFilter') cmd.addOption(new Option('--no-volume-filter', 'turn the volume filter off (overrides the strategy file)'));
  }
  return cmd;
}

export interface EffectiveStrategy extends LoadedStrategy {
  /** The file's own hash before flag overrides (null without a file). */
  fileHash: string | null;
  /** Flags that overrode a field in this run, e.g. ['--top-n']. */
  overrides: string[];
}

export interface StrategyAdjust {
  /** Field flags the command handles itself (e.g. backtest's --regime-mode, which also takes compare). */
  skip?: readonly FieldFlagName[];
  /** Values applied as if their field flag had been given (deprecated spellings, command-specific flags). */
  set?: Partial<Record<FieldFlagName, unknown>>;
}

const UNIVERSE_FLAGS: readonly FieldFlagName[] = ['universe', 'universeFile', 'sector'];

/** The strategy a run uses: the file (or defaults) with every flag given on the command line applied. */
export function effectiveStrategy(cmd: Command, opts: Record<string, unknown>, cwd: string = process.cwd(), adjust: StrategyAdjust = {}): EffectiveStrategy {
  const explicit = typeof opts.strategy === 'string' ? opts.strategy : undefined;
  const implicit = resolve(cwd, DEFAULT_STRATEGY_FILE);
  const base = explicit !== undefined ? loadStrategyFile(resolve(cwd, explicit)) : existsSync(implicit) ? loadStrategyFile(implicit) : defaultStrategy();
  const draft = structuredClone(base.strategy) as unknown as Draft;
  const overrides: string[] = [];
  const given = (name: string) => cmd.getOptionValueSource(name) === 'cli' && opts[name] !== undefined && !(adjust.skip ?? []).includes(name);
  if (UNIVERSE_FLAGS.filter(given).length > 1) throw new AtlasError('Pass only one of --universe, --universe-file and --sector.', { code: 'BAD_FLAG' });
  for (const [name, f] of Object.entries(FIELD_FLAGS)) {
    const fromSet = adjust.set?.[name];
    if (fromSet === undefined && !given(name)) continue;
    let value = fromSet ?? opts[name];
    // A path given on the command line is relative to where the command runs, not to the strategy file.
    if ((name === 'universeFile' || name === 'constituents') && typeof value === 'string') value = resolve(cwd, value);
    f.apply(draft, value);
    overrides.push(f.flags.split(' ')[0]);
  }
  if (overrides.length === 0) return { ...base, fileHash: base.path ? base.hash : null, overrides };
  const strategy = validateStrategy(draft, `${base.path ?? 'the strategy'} with ${overrides.join(', ')}`);
  return { strategy, hash: strategyHash(strategy), path: base.path, fileHash: base.path ? base.hash : null, overrides };
}

/** The folder a strategy's relative paths resolve against: the strategy file's, else the working directory. */
export function strategyBaseDir(e: Pick<LoadedStrategy, 'path'>, cwd: string = process.cwd()): string {
  return e.path ? dirname(e.path) : cwd;
}

/**
 * Maps an old flag spelling to its new name for one more version: the value is used and stderr
 * says which flag replaces it.
 */
export function deprecatedAlias(note: (text: string) => void, old: string, replacement: string): void {
  note(`note: ${old} is deprecated and will be removed in the next version; use ${replacement}.`);
}
