/**
 * The universe's stocks as one aligned panel, loaded the same way for the scanner, the backtester
 * and the live rebalancer: only the stored universe symbols (the benchmark and the regime inputs
 * stay out, unless the universe itself holds them), only the fields the 52-week-high scan reads,
 * and only the sessions a run needs plus the history its 52-week high looks back over.
 */
import { addDays } from '../core/dates.js';
import { AtlasError } from '../core/errors.js';
import type { Panel, PanelField } from '../data/panel.js';
import type { BarStore } from '../data/store/barStore.js';
import { loadPanel } from '../data/store/panelLoader.js';
import { DEFAULT_LOOKBACK } from './momentum52w.js';
import type { Universe } from './universes.js';

export interface UniversePanelOptions {
  /** First session the run decides on; the panel starts `lookback` bars of history earlier. */
  from?: string;
  /** Last session to load (inclusive). */
  to?: string;
  /**
   * Load only the history the scan of the latest session needs (the live rebalancer): `from`
   * becomes the latest stored date of the universe (on or before `to`).
   */
  latestOnly?: boolean;
  /** Bars the 52-week high looks back over (default 252). */
  lookback?: number;
  withVolume?: boolean;
}

export interface UniversePanel {
  panel: Panel;
  /** Universe symbols with no data in the store at all (never eligible). */
  missing: string[];
  /** symbol -> the store's source of it ('csv', 'yahoo', 'demo', ...), for every stored symbol. */
  sources: Map<string, string>;
}

/**
 * The first calendar day to load so that a run deciding on `from` sees `lookback` bars of each
 * listed symbol: 252 sessions span about 365 calendar days plus holidays; half a lookback and a
 * month more cover long closures. A symbol with gaps of more than that is the only case in which
 * the window holds fewer bars than the whole history would.
 */
export function historyStart(from: string, lookback: number = DEFAULT_LOOKBACK): string {
  return addDays(from, -(Math.ceil(lookback * 1.5) + 30));
}

export function loadUniversePanel(store: BarStore, universe: Universe, options: UniversePanelOptions = {}): UniversePanel {
  const listed = store.listSymbols();
  const sources = new Map(listed.map((s) => [s.symbol, s.source]));
  const symbols = universe.symbols.filter((s) => sources.has(s));
  const missing = universe.symbols.filter((s) => !sources.has(s));
  if (symbols.length === 0) {
    throw new AtlasError(
      `None of the ${universe.symbols.length} symbols of universe "${universe.name}" has data in the store; import or sync them first (e.g. \`atlas data sync --symbols ${universe.symbols.slice(0, 3).join(',')}\`).`,
      { code: 'NO_DATA' },
    );
  }
  const fields: PanelField[] = ['open', 'high', 'close', 'adjClose'];
  if (options.withVolume) fields.push('volume');
  let decideFrom = options.from;
  if (options.latestOnly) {
    const wanted = new Set(symbols);
    let latest: string | undefined;
    for (const s of listed) {
      if (!wanted.has(s.symbol) || s.lastDate === null) continue;
      const last = options.to !== undefined && s.lastDate > options.to ? options.to : s.lastDate;
      if (latest === undefined || last > latest) latest = last;
    }
    decideFrom = latest;
  }
  const from = decideFrom !== undefined ? historyStart(decideFrom, options.lookback) : undefined;
  const panel = loadPanel(store.db, symbols, { fields, from, to: options.to });
  return { panel, missing, sources };
}
