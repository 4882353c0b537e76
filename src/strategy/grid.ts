/**
 * @module A sweep grid over strategy fields: each key names a scanner, rebalance or regime field
 * and lists its values; every combination applied to the base strategy is one variant, a full
 * strategy with its own content hash. The winner of a sweep is therefore a strategy file that
 * `sweep --save-best` can write and `rebalance --strategy` can trade byte for byte.
 */
import { AtlasError } from '../core/errors.js';
import { REGIMES } from '../portfolio/allocation.js';
import { REGIME_MODEL_NAMES } from '../regime/models/registry.js';
import { strategyHash } from './hash.js';
import { validateStrategy } from './load.js';
import type { Strategy } from './schema.js';

type Draft = Record<string, unknown> & { scanner: Record<string, unknown>; regime: Record<string, unknown> };

interface GridKey {
  /** Grid spellings: the short name (as in older grids) and the strategy path. */
  names: readonly string[];
  what: string;
  ok(v: unknown): boolean;
  /** The value as stored in the strategy (allocation strings become matrices). */
  normalize?(v: unknown): unknown;
  set(d: Draft, v: unknown): void;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (min: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min;

function allocationOf(v: unknown): Record<string, number> | null {
  if (typeof v === 'string') {
    const parts = v.split(',').map((p) => Number(p.trim()));
    if (parts.length !== 4 || !parts.every((x) => Number.isFinite(x))) return null;
    return Object.fromEntries(REGIMES.map((r, i) => [r, parts[i]]));
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (!REGIMES.every((r) => isNum(o[r])) || Object.keys(o).length !== 4) return null;
    return o as Record<string, number>;
  }
  return null;
}

export const GRID_KEYS: readonly GridKey[] = [
  { names: ['topN', 'scanner.topN'], what: 'whole numbers >= 1', ok: isInt(1), set: (d, v) => (d.scanner.topN = v) },
  { names: ['minDistance', 'scanner.minDistance'], what: 'numbers in (0, 1]', ok: (v) => isNum(v) && v > 0 && v <= 1, set: (d, v) => (d.scanner.minDistance = v) },
  { names: ['lookback', 'scanner.lookback'], what: 'whole numbers >= 20', ok: isInt(20), set: (d, v) => (d.scanner.lookback = v) },
  { names: ['volumeFilter', 'scanner.volumeFilter'], what: 'true or false', ok: (v) => typeof v === 'boolean', set: (d, v) => (d.scanner.volumeFilter = v) },
  { names: ['volumeMultiplier', 'scanner.volumeMultiplier'], what: 'numbers > 0', ok: (v) => isNum(v) && v > 0, set: (d, v) => (d.scanner.volumeMultiplier = v) },
  { names: ['volumeWindow', 'scanner.volumeWindow'], what: 'whole numbers >= 1', ok: isInt(1), set: (d, v) => (d.scanner.volumeWindow = v) },
  { names: ['rebalance'], what: 'values of semiannual, quarterly, monthly', ok: (v) => ['semiannual', 'quarterly', 'monthly'].includes(v as string), set: (d, v) => (d.rebalance = v) },
  { names: ['regimeMode', 'regime.mode'], what: 'values of off, rebalance, daily', ok: (v) => ['off', 'rebalance', 'daily'].includes(v as string), set: (d, v) => (d.regime.mode = v) },
  {
    names: ['regimeModel', 'regime.model'],
    what: `regime model names (${REGIME_MODEL_NAMES.join(', ')})`,
    ok: (v) => (REGIME_MODEL_NAMES as readonly unknown[]).includes(v),
    set: (d, v) => (d.regime.model = v),
  },
  {
    names: ['allocation', 'regime.allocation'],
    what: 'allocations: "1,0.7,0.3,0" (bull,neutral,bear,crash) or {"TREND_BULL":1,...}',
    ok: (v) => allocationOf(v) !== null,
    normalize: allocationOf,
    set: (d, v) => (d.regime.allocation = v),
  },
];

export interface GridAxis {
  /** The short name the output uses (topN, minDistance, ...). */
  key: string;
  values: unknown[];
}

export interface StrategyVariant {
  strategy: Strategy;
  hash: string;
  /** The grid's value on each axis, by short name. */
  values: Record<string, unknown>;
}

const EXAMPLE = '{"topN":[5,10],"minDistance":[0.85,0.9],"volumeFilter":[false,true],"rebalance":["semiannual"],"regimeMode":["rebalance","daily"]}';

/** Validates a grid file's JSON: each key a grid field, each value a non-empty list (or one value). */
export function parseStrategyGrid(raw: unknown, label = 'grid'): GridAxis[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AtlasError(`${label} must be a JSON object such as ${EXAMPLE}.`, { code: 'BAD_GRID' });
  const axes: GridAxis[] = [];
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    const k = GRID_KEYS.find((g) => g.names.includes(name));
    if (!k) {
      const hint = /^regime\.params$|^regimeParams$/.test(name) ? ' (a sweep runs one regime parameter set: set it in the strategy; regime.model can vary)' : '';
      throw new AtlasError(`${label} has an unknown key "${name}"${hint}; use ${GRID_KEYS.map((g) => g.names[0]).join(', ')}.`, { code: 'BAD_GRID' });
    }
    const short = k.names[0];
    if (axes.some((a) => a.key === short)) throw new AtlasError(`${label} names "${short}" twice; keep one spelling.`, { code: 'BAD_GRID' });
    const arr = Array.isArray(v) ? v : [v];
    if (arr.length === 0 || !arr.every((x) => k.ok(x))) throw new AtlasError(`${label}: "${name}" must be a non-empty list of ${k.what}.`, { code: 'BAD_GRID' });
    const values = arr.map((x) => (k.normalize ? k.normalize(x) : x));
    const unique = values.filter((x, i) => values.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i);
    axes.push({ key: short, values: unique });
  }
  return axes;
}

/** Every combination of the axes applied to the base strategy, in grid order (the last axis varies fastest). */
export function gridVariants(base: Strategy, axes: readonly GridAxis[], label = 'grid'): StrategyVariant[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.key]: v })));
  return combos.map((values) => {
    const draft = structuredClone(base) as unknown as Draft;
    for (const [key, v] of Object.entries(values)) GRID_KEYS.find((g) => g.names[0] === key)!.set(draft, structuredClone(v));
    const strategy = validateStrategy(draft, `${label} point ${JSON.stringify(values)}`);
    return { strategy, hash: strategyHash(strategy), values };
  });
}
