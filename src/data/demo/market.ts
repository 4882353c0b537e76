/**
 * A deterministic, clearly labelled SIMULATED market (SPY, VIX and 84 stocks in 4 sectors over
 * NYSE sessions) so every Atlas command works offline on a fresh machine. Nothing here is real
 * data: the prices are invented from a seeded script of bull, bear, crash, recovery and chop
 * episodes. See docs/demo-market.md.
 */
import type { BarSeries } from '../bar.js';
import { isIsoDate } from '../../core/dates.js';
import { AtlasError } from '../../core/errors.js';
import { CALENDAR_RANGE, sessionsBetween } from '../../calendar/nyse.js';
import { seriesFromColumns, toColumns, type DemoColumnSeries } from './bars.js';
import { DEMO_SCRIPT_END, DEMO_SCRIPT_START, type DemoEpisode, type DemoSector } from './episodes.js';
import { simulateMarket, simulateVix, type MarketPath, type VixPath } from './spyVix.js';
import { simulateSectorFactors, simulateStock, type StockPath } from './stocks.js';
import { buildTimeline, type Timeline } from './timeline.js';
import { DEMO_SPY, DEMO_STOCKS, DEMO_VIX } from './universe.js';

export {
  DEMO_EPISODE_SCRIPT,
  DEMO_SCRIPT_END,
  DEMO_SCRIPT_START,
  DEMO_SECTORS,
  scriptedEpisode,
  type DemoEpisode,
  type DemoSector,
  type EpisodeKind,
  type EpisodeScript,
} from './episodes.js';
export { DEMO_SPY, DEMO_STOCKS, DEMO_VIX, type DemoSplit, type DemoStockSpec } from './universe.js';

export const DEMO_MARKET_LABEL = 'SIMULATED DEMO MARKET — not real prices' as const;
export const DEMO_DEFAULT_SEED = 42;
export const DEMO_SOURCE = 'demo';

export interface DemoMarket {
  label: typeof DEMO_MARKET_LABEL;
  seed: number;
  /** First and last session with bars (the requested range snapped inward to sessions). */
  from: string;
  to: string;
  /** SPY, VIX, then the stocks listed by `to`; every series has source 'demo'. */
  series: BarSeries[];
  /** Sector of every stock in `series` (SPY and VIX are not stocks and are not listed). */
  sectors: Record<string, DemoSector>;
  /** The episodes overlapping from..to, clipped to it, in order and contiguous. */
  episodes: DemoEpisode[];
}

/** The demo market as the store's typed columns (what `atlas demo` writes), without bar objects. */
export interface DemoMarketColumns extends Omit<DemoMarket, 'series'> {
  /** SPY, VIX, then the stocks, as in DemoMarket.series; columns.days are day numbers. */
  series: DemoColumnSeries[];
}

export interface DemoMarketOptions {
  seed?: number;
  from?: string;
  to?: string;
}

export interface GenerateDemoMarketInput {
  seed: number;
  /** Ascending unique session dates to simulate on (NYSE sessions in buildDemoMarket). */
  sessions: readonly string[];
  /** Window of the output (default: all sessions). */
  from?: string;
  to?: string;
}

/**
 * The simulated market over the NYSE sessions of from..to (defaults 2000-01-03..2024-12-31,
 * seed 42). The path is always simulated over at least the whole script, so any window inside
 * the default range is an exact slice of the default market's raw prices (adjClose is
 * re-anchored to the window's last day, like a download that ended there).
 */
export function buildDemoMarket(options: DemoMarketOptions = {}): DemoMarket {
  return toMarket(generateDemoColumns(demoInput(options), true));
}

/** buildDemoMarket as typed columns: the same numbers, for writing to the store. */
export function buildDemoMarketColumns(options: DemoMarketOptions = {}): DemoMarketColumns {
  const g = generateDemoColumns(demoInput(options), true);
  return { label: g.label, seed: g.seed, from: g.from, to: g.to, series: g.series, sectors: g.sectors, episodes: g.episodes };
}

function demoInput(options: DemoMarketOptions): GenerateDemoMarketInput {
  const seed = options.seed ?? DEMO_DEFAULT_SEED;
  const from = options.from ?? DEMO_SCRIPT_START;
  const to = options.to ?? DEMO_SCRIPT_END;
  for (const [name, d] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!isIsoDate(d)) throw new AtlasError(`demo market: ${name} "${d}" is not a date; use YYYY-MM-DD.`, { code: 'DEMO_BAD_DATE' });
    if (d < CALENDAR_RANGE.from || d > CALENDAR_RANGE.to) {
      throw new AtlasError(
        `demo market: ${name} ${d} is outside ${CALENDAR_RANGE.from}..${CALENDAR_RANGE.to}; pick a date inside it.`,
        { code: 'DEMO_RANGE' },
      );
    }
  }
  if (from > to) throw new AtlasError(`demo market: from ${from} is after to ${to}; swap them.`, { code: 'DEMO_RANGE' });
  const sessions = sessionsBetween(from < DEMO_SCRIPT_START ? from : DEMO_SCRIPT_START, to > DEMO_SCRIPT_END ? to : DEMO_SCRIPT_END);
  return { seed, sessions, from, to };
}

/** The generator behind buildDemoMarket, on any ascending list of session dates. */
export function generateDemoMarket(input: GenerateDemoMarketInput): DemoMarket {
  return toMarket(generateDemoColumns(input, false));
}

interface GeneratedColumns extends DemoMarketColumns {
  dates: readonly string[];
  /** Index into dates of each series' first bar. */
  firstIndex: number[];
}

function toMarket(g: GeneratedColumns): DemoMarket {
  const series = g.series.map((c, k) => seriesFromColumns(c, g.dates, g.firstIndex[k]));
  return { label: g.label, seed: g.seed, from: g.from, to: g.to, series, sectors: g.sectors, episodes: g.episodes };
}

interface SimulatedPaths {
  tl: Timeline;
  market: MarketPath;
  vix: VixPath;
  /** By DEMO_STOCKS index; undefined for a stock listed after the last session. */
  stocks: (StockPath | undefined)[];
}

/**
 * The last simulations by seed and sessions. Every window of the market is cut from the same
 * simulation of the whole script (see buildDemoMarket), so building several windows of one seed
 * (the demo's store, its report window, a test's fixtures) simulates once. The paths are only
 * read afterwards (toColumns copies what it needs). Two entries, least recently used dropped
 * first: a process rarely holds more than one seed, and each is about 25 MB. generateDemoMarket's
 * one-off session lists are not kept.
 */
const SIMULATIONS = new Map<string, SimulatedPaths>();

function simulatePaths(seed: number, sessions: readonly string[], keep: boolean): SimulatedPaths {
  const key = `${seed}|${sessions.length}|${sessions.join(',')}`;
  const hit = SIMULATIONS.get(key);
  if (hit) {
    SIMULATIONS.delete(key); // most recently used last: the first entry is the one to drop
    SIMULATIONS.set(key, hit);
    return hit;
  }
  const tl = buildTimeline(sessions);
  const s = seed >>> 0;
  const market = simulateMarket(tl, s);
  const vix = simulateVix(tl, market, s);
  const factors = simulateSectorFactors(tl, market, s);
  const stocks = DEMO_STOCKS.map((spec) => simulateStock(spec, tl, market, factors[spec.sector], s));
  const paths = { tl, market, vix, stocks };
  if (!keep) return paths;
  if (SIMULATIONS.size >= 2) SIMULATIONS.delete(SIMULATIONS.keys().next().value!);
  SIMULATIONS.set(key, paths);
  return paths;
}

/** Forgets the kept simulations (a test that checks a rebuild is byte-identical must really rebuild). */
export function clearDemoSimulations(): void {
  SIMULATIONS.clear();
}

/** `keep`: remember the simulation (buildDemoMarket's, over the whole script; not a one-off session list's, which would push it out). */
function generateDemoColumns(input: GenerateDemoMarketInput, keep: boolean): GeneratedColumns {
  const { seed, sessions } = input;
  if (!Number.isSafeInteger(seed)) {
    throw new AtlasError(`demo market: seed must be an integer, got ${String(seed)}.`, { code: 'DEMO_BAD_SEED' });
  }
  for (let i = 1; i < sessions.length; i++) {
    if (!(sessions[i - 1] < sessions[i])) throw new RangeError(`demo market: sessions must ascend (${sessions[i - 1]}, ${sessions[i]})`);
  }
  // The window is checked before anything is simulated (an empty one is refused at once).
  const first = input.from === undefined ? 0 : sessionsBefore(sessions, input.from, false);
  const last = (input.to === undefined ? sessions.length : sessionsBefore(sessions, input.to, true)) - 1;
  if (first > last) {
    throw new AtlasError(`demo market: there is no session in ${input.from ?? '…'}..${input.to ?? '…'}; widen the range.`, {
      code: 'DEMO_RANGE',
    });
  }
  const { tl, market, vix, stocks } = simulatePaths(seed, sessions, keep);

  const series: DemoColumnSeries[] = [];
  const firstIndex: number[] = [];
  const spyVolumeBase = 9e9;
  firstIndex.push(first, first);
  series.push(
    toColumns(DEMO_SPY, tl.dates, tl.days, first, last, {
      open: market.open,
      high: market.high,
      low: market.low,
      close: market.price,
      dividend: market.dividend,
      volume: (t, c) => (spyVolumeBase * Math.sqrt(market.vol[t] / 0.15) * market.volumeNoise[t]) / c,
    }),
  );
  series.push(toColumns(DEMO_VIX, tl.dates, tl.days, first, last, vix));

  const sectors: Record<string, DemoSector> = {};
  for (const [k, spec] of DEMO_STOCKS.entries()) {
    const path = stocks[k];
    if (!path) continue;
    const a = Math.max(first, path.start);
    if (a > last) continue;
    firstIndex.push(a);
    series.push(
      toColumns(
        spec.symbol,
        tl.dates,
        tl.days,
        a,
        last,
        { ...path, volume: (t, c) => path.dollarVolume[t] / c },
        spec.splits,
      ),
    );
    sectors[spec.symbol] = spec.sector;
  }

  const episodes: DemoEpisode[] = [];
  for (let k = 0; k < tl.episodes.length; k++) {
    const { start, end } = tl.ranges[k];
    if (end < first || start > last) continue;
    const e = tl.episodes[k];
    episodes.push({ name: e.name, from: tl.dates[Math.max(start, first)], to: tl.dates[Math.min(end, last)], kind: e.kind });
  }

  return { label: DEMO_MARKET_LABEL, seed, from: tl.dates[first], to: tl.dates[last], series, sectors, episodes, dates: tl.dates, firstIndex };
}

/**
 * How many of `sessions` (ascending ISO dates) come before `date`, or on or before it when
 * `inclusive`: the index of the first session on or after (after) it. The timeline's
 * firstIndexOnOrAfter does this on day numbers once a timeline exists; the window is checked earlier.
 */
function sessionsBefore(sessions: readonly string[], date: string, inclusive: boolean): number {
  let lo = 0;
  let hi = sessions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sessions[mid] < date || (inclusive && sessions[mid] === date)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
