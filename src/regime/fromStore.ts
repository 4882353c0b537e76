import { AtlasError } from '../core/errors.js';
import type { BarStore } from '../data/store/barStore.js';
import { alignVix } from './vixLayer.js';
import { DEFAULT_REGIME_MODEL, resolveModelParams, type RegimeModelName } from './models/registry.js';
import { memoModelHistory, readModelHistory } from './historyMemo.js';
import type { RegimeHistory, RegimeParamsInput } from './types.js';
import type { RegimeInput } from './regimeHistory.js';
import { fromDayNumber } from '../core/dates.js';

export interface StoredRegime {
  history: RegimeHistory;
  /** VIX alignment notes (forward-filled sessions, dropped non-session rows). */
  vixFilled: number;
  vixDropped: number;
}

/** SPY days the model needs before its first regime: the S60 warm-up plus the first training window (or the moving average). */
export function minimumSpyDays(params?: RegimeParamsInput, model: RegimeModelName = DEFAULT_REGIME_MODEL): number {
  const p = resolveModelParams(model, params);
  if (model === 'sma200' || model === 'sma10m') return p.smaUnit === 'days' ? p.smaLength : (p.smaLength + 1) * 23;
  return Math.max(p.ddHalflife, p.s20Halflife, p.s60Halflife) + p.trainWindow + 1;
}

/**
 * The regime history from SPY (adjusted close) and VIX (close) in the store, up to `to`.
 * Refuses with a sentence that says what is missing and how much history is needed.
 */
export function regimeFromStore(store: BarStore, options: { to?: string; params?: RegimeParamsInput; model?: RegimeModelName } = {}): StoredRegime {
  const { model, input, vixFilled, vixDropped } = regimeInputFromStore(store, options);
  const history = memoModelHistory(model, input, options.params);
  return { history, vixFilled, vixDropped };
}

/**
 * regimeFromStore for a caller that needs a few values of the history, not a copy of it: `read`
 * gets the memoised history (historyMemo.ts) and must copy whatever it keeps. The daemon asks
 * every session for one day's regime; cloning a 25-year history each time was most of that cost.
 */
export function readRegimeFromStore<T>(store: BarStore, options: { to?: string; params?: RegimeParamsInput; model?: RegimeModelName }, read: (h: Readonly<RegimeHistory>) => T): T {
  const { model, input } = regimeInputFromStore(store, options);
  return readModelHistory(model, input, options.params, read);
}

/** What a regime model reads from the store: SPY's sessions and adjusted closes, VIX aligned to them. */
export function regimeInputFromStore(store: BarStore, options: { to?: string; params?: RegimeParamsInput; model?: RegimeModelName } = {}): { model: RegimeModelName; input: RegimeInput; vixFilled: number; vixDropped: number } {
  const model = options.model ?? DEFAULT_REGIME_MODEL;
  const need = minimumSpyDays(options.params, model);
  for (const sym of ['SPY', 'VIX']) {
    if (!store.hasSymbol(sym)) {
      throw new AtlasError(
        `The regime model needs ${sym} history and the store has none; run \`atlas data sync --symbols SPY,VIX\`, \`atlas data import\` or \`atlas data demo\` (at least ${need} sessions, about ${Math.ceil(need / 252)} years).`,
        { code: 'NO_DATA' },
      );
    }
  }
  // Columns, not bar objects: the regime reads two fields of two symbols.
  const spy = store.getColumns('SPY', undefined, options.to);
  if (spy.days.length < need) {
    throw new AtlasError(
      `The regime model ${model} needs at least ${need} SPY sessions (about ${Math.ceil(need / 252)} years) before its first regime; the store has ${spy.days.length}${options.to ? ` up to ${options.to}` : ''}.`,
      { code: 'SHORT_HISTORY' },
    );
  }
  const vix = store.getColumns('VIX', undefined, options.to);
  const dates = Array.from(spy.days, fromDayNumber);
  const aligned = alignVix(dates, Array.from(vix.days, (d, i) => ({ date: fromDayNumber(d), close: vix.close[i] })));
  return { model, input: { dates, spyClose: spy.adjClose.slice(), vixClose: aligned.vix }, vixFilled: aligned.filled.length, vixDropped: aligned.dropped.length };
}

/** Index of the last history day on or before `date` (-1 when none). */
export function indexOnOrBefore(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid] <= date) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
