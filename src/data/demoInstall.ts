/**
 * @module `atlas demo` / `atlas data demo`: writes the simulated demo market into a store and
 * summarises what it wrote.
 */
import { AtlasError } from '../core/errors.js';
import { buildDemoMarketColumns, DEMO_SCRIPT_END, DEMO_SPY, DEMO_STOCKS, DEMO_VIX, type DemoMarketColumns } from './demo/market.js';
import type { BarStore } from './store/barStore.js';

export interface DemoSummary {
  label: string;
  seed: number;
  from: string;
  to: string;
  symbols: number;
  bars: number;
  sectors: Record<string, string[]>;
  episodes: { name: string; from: string; to: string; kind: string }[];
  lines: string[];
}

/**
 * The symbols installDemoMarket writes, in its order, known without simulating anything: SPY, VIX
 * and every stock listed by the end of the script (the default market has a series for each), so
 * a store with real data is refused before the market is built.
 */
export function demoInstallSymbols(): string[] {
  return [DEMO_SPY, DEMO_VIX, ...DEMO_STOCKS.filter((s) => s.listed === undefined || s.listed <= DEMO_SCRIPT_END).map((s) => s.symbol)];
}

/**
 * The market of the last seed installed in this process: `atlas demo` then `atlas data demo` (or
 * in-process test workers running both) build the same 86 series once. It never leaves this
 * module, and the store only reads the columns.
 */
let lastMarket: DemoMarketColumns | undefined;
function demoColumns(seed: number): DemoMarketColumns {
  // Typed columns straight into the store: no bar object per session (86 symbols x 6,000 sessions).
  if (lastMarket?.seed !== seed) lastMarket = buildDemoMarketColumns({ seed });
  return lastMarket;
}

/**
 * Writes the simulated demo market into the store. It refuses to overwrite symbols that hold
 * real (imported or synced) data unless forced: a demo must never silently replace real prices.
 */
export function installDemoMarket(store: BarStore, opts: { seed?: number; force?: boolean } = {}): DemoSummary {
  const seed = opts.seed ?? 42;
  if (!Number.isInteger(seed)) throw new AtlasError(`--seed must be an integer, got ${opts.seed}.`, { code: 'BAD_FLAG' });
  // An unsafe seed fails in the generator with its own sentence, whatever the store holds.
  if (!Number.isSafeInteger(seed)) demoColumns(seed);
  if (!opts.force) {
    const clash = demoInstallSymbols().map((sym) => store.symbolInfo(sym)).filter((i) => i && i.source !== 'demo');
    if (clash.length > 0) {
      throw new AtlasError(
        `The store already holds real data for ${clash.slice(0, 5).map((i) => i!.symbol).join(', ')}${clash.length > 5 ? ` and ${clash.length - 5} more` : ''}; use another --data-dir for the demo, or --force to overwrite.`,
        { code: 'DEMO_WOULD_OVERWRITE' },
      );
    }
  }
  const market = demoColumns(seed);
  let bars = 0;
  store.writeMany(() => {
    for (const s of market.series) {
      store.replaceColumns(s.symbol, 'demo', s.columns, s.actions);
      bars += s.columns.days.length;
    }
  });
  const sectors: Record<string, string[]> = {};
  for (const [sym, sector] of Object.entries(market.sectors)) (sectors[sector] ??= []).push(sym);
  const lines = [
    market.label,
    `Demo market (seed ${seed}): ${market.series.length} symbols, ${bars.toLocaleString('en-US')} daily bars, ${market.from} .. ${market.to}.`,
    ...Object.entries(sectors).map(([sec, syms]) => `  ${sec.padEnd(12)} ${syms.length} stocks: ${syms.slice(0, 8).join(' ')}${syms.length > 8 ? ' ...' : ''}`),
    'Scripted episodes:',
    ...market.episodes.map((e) => `  ${e.from} .. ${e.to}  ${e.kind.padEnd(9)} ${e.name}`),
  ];
  return { label: market.label, seed, from: market.from, to: market.to, symbols: market.series.length, bars, sectors, episodes: market.episodes, lines };
}
