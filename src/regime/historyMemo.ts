/**
 * @module An in-process memo of computed regime histories, keyed by the content of everything a
 * history is computed from (model, resolved parameters, SPY sessions and adjusted closes, aligned
 * VIX closes). One command often asks for the same history several times (`atlas demo` needs the
 * seed model for its regime table, the model comparison, the backtest and the rebalance), and
 * in-process test workers run many commands on the same store; a model fit is hundreds of
 * milliseconds, the key a millisecond. Each caller gets its own copy, so a caller that edits its
 * history cannot change another's.
 */
import { createHash } from 'node:crypto';
import { computeModelHistory, resolveModelParams, type RegimeModelName } from './models/registry.js';
import type { RegimeInput } from './regimeHistory.js';
import type { RegimeHistory, RegimeParamsInput } from './types.js';

/** Few entries: a command uses a handful of models; each history is about a megabyte. */
const CAPACITY = 8;
const memo = new Map<string, RegimeHistory>();

function keyOf(model: RegimeModelName, input: RegimeInput, params?: RegimeParamsInput): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ model, params: resolveModelParams(model, params) }));
  h.update(input.dates.join(','));
  h.update(bytesOf(input.spyClose));
  h.update(bytesOf(input.vixClose));
  return h.digest('hex');
}

function bytesOf(values: ArrayLike<number>): Uint8Array {
  const a = values instanceof Float64Array ? values : Float64Array.from(values);
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** computeModelHistory, computed once per distinct input in this process. */
export function memoModelHistory(model: RegimeModelName, input: RegimeInput, params?: RegimeParamsInput): RegimeHistory {
  return readModelHistory(model, input, params, (h) => structuredClone(h));
}

/**
 * The memoised history handed to `read`, which must copy whatever it keeps (the history itself is
 * shared): for callers that need a column or two, not a clone of everything.
 */
export function readModelHistory<T>(model: RegimeModelName, input: RegimeInput, params: RegimeParamsInput | undefined, read: (h: Readonly<RegimeHistory>) => T): T {
  const key = keyOf(model, input, params);
  let h = memo.get(key);
  if (h) {
    memo.delete(key); // most recently used last
  } else {
    h = computeModelHistory(model, input, params);
    if (memo.size >= CAPACITY) memo.delete(memo.keys().next().value!);
  }
  memo.set(key, h);
  return read(h);
}

/** Forgets every memoised history (tests that count computations). */
export function clearHistoryMemo(): void {
  memo.clear();
}
