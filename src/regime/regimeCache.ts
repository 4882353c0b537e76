/**
 * @module The regime series (dates and labels) of a model over the store's SPY and VIX, cached
 * on disk next to the store by the content hash of everything it is computed from: the model,
 * its resolved parameters, the SPY sessions and adjusted closes, the aligned VIX closes and the
 * code that computes it (the regime and analytics modules as installed). Fitting the jump model over 28 years is most of a backtest's time; the
 * same inputs give the same series, so a second run reads about 100 kB instead. Any change to the
 * data (a sync, an import, a different `to`) changes the key. A cache file that cannot be read or
 * written is ignored (the series is computed): the cache never decides a result.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BarStore } from '../data/store/barStore.js';
import { REGIMES, type Regime } from './labels.js';
import { regimeInputFromStore } from './fromStore.js';
import { readModelHistory } from './historyMemo.js';
import { resolveModelParams, type RegimeModelName } from './models/registry.js';
import type { RegimeParamsInput } from './types.js';

/**
 * A hash of the files of the regime and analytics modules as they run (src/ under tsx, dist/ when
 * built): a change to any model's arithmetic misses every old cache file without anyone having to
 * remember a version number. Read once per process (a few milliseconds).
 */
let codeHash: string | undefined;
export function regimeCodeHash(): string {
  if (codeHash !== undefined) return codeHash;
  const h = createHash('sha256');
  for (const f of regimeCodeFiles()) h.update(f.name).update(readFileSync(f.path));
  codeHash = h.digest('hex');
  return codeHash;
}

/** The files regimeCodeHash reads: every module under regime/ and analytics/. */
export function regimeCodeFiles(): { name: string; path: string }[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = dirname(here);
  return [here, join(root, 'analytics')].flatMap((dir) => filesUnder(dir)).map((path) => ({ name: path.slice(root.length + 1), path }));
}

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : /\.(ts|js)$/.test(n) ? [p] : [];
  });
}

const LABELS = new Set<unknown>(REGIMES);

export interface RegimeSeriesData {
  dates: string[];
  regimes: (Regime | null)[];
}

/** The cache directory of a store's file (undefined for an in-memory store or ATLAS_REGIME_CACHE=off). */
export function regimeCacheDir(store: BarStore): string | undefined {
  if (process.env.ATLAS_REGIME_CACHE === 'off') return undefined;
  const file = store.db.name;
  if (!file || file === ':memory:' || store.db.memory) return undefined;
  return join(dirname(file), 'cache', 'regime');
}

/** The model's regime series up to `to`, from the cache when its inputs are unchanged. */
export function regimeSeriesFromStore(store: BarStore, options: { to?: string; params?: RegimeParamsInput; model?: RegimeModelName } = {}): RegimeSeriesData {
  const { model, input } = regimeInputFromStore(store, options);
  const dir = regimeCacheDir(store);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ code: regimeCodeHash(), model, params: resolveModelParams(model, options.params) }));
  hash.update(input.dates.join(','));
  hash.update(new Uint8Array(Float64Array.from(input.spyClose).buffer));
  hash.update(new Uint8Array(Float64Array.from(input.vixClose).buffer));
  const file = dir ? join(dir, `${model}-${hash.digest('hex').slice(0, 32)}.json`) : undefined;
  if (file) {
    const hit = readCached(file, input.dates);
    if (hit) return hit;
  }
  const series = readModelHistory(model, input, options.params, (h) => ({ dates: h.dates.slice(), regimes: h.regime.slice() }));
  const sameDates = series.dates.length === input.dates.length && series.dates.every((d, i) => d === input.dates[i]);
  if (file && dir && sameDates) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ regimes: series.regimes }));
      renameSync(tmp, file);
    } catch {
      // A read-only or full disk costs the next run the computation, nothing else.
    }
  }
  return series;
}

function readCached(file: string, dates: readonly string[]): RegimeSeriesData | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { regimes?: unknown };
    const regimes = parsed.regimes;
    if (!Array.isArray(regimes) || regimes.length !== dates.length || !regimes.every((r) => r === null || LABELS.has(r))) return undefined;
    return { dates: [...dates], regimes: regimes as (Regime | null)[] };
  } catch {
    return undefined;
  }
}
