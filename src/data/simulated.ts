/**
 * How a command tells that its input is the simulated demo market (`atlas demo` stores its
 * series with source 'demo'), and the one sentence every output built from it carries.
 */
import type { BarStore } from './store/barStore.js';

export const SIMULATED_SOURCE = 'demo';

export const SIMULATED_NOTE =
  'SIMULATED: built from the demo market that `atlas demo` generates, not from real prices; the numbers say nothing about real markets.';

/** The symbols among `symbols` whose stored history is the simulated demo market. */
export function simulatedSymbols(store: BarStore, symbols: readonly string[]): string[] {
  const wanted = new Set(symbols);
  return store.listSymbols().filter((s) => wanted.has(s.symbol) && s.source === SIMULATED_SOURCE).map((s) => s.symbol);
}
