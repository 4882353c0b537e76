/**
 * @module The strategy's universe spec as a Universe: a built-in list, a symbol file, a GICS
 * sector, or point-in-time membership with a rename map. Relative paths resolve against the
 * strategy file's folder, so a strategy file and its lists travel together.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { AtlasError } from '../core/errors.js';
import { bySector, getUniverse, parseUniverseFile, type Universe } from '../selection/universes.js';
import type { UniverseSpec } from './schema.js';

function readText(path: string, field: string): string {
  if (!existsSync(path)) throw new AtlasError(`The strategy's ${field} ${path} does not exist; fix the path in the strategy file or the flag.`, { code: 'BAD_UNIVERSE' });
  return readFileSync(path, 'utf8');
}

/**
 * Membership tickers renamed to the ticker their prices are stored under (FB -> META): the
 * renamed symbol is a member whenever any of its old names was.
 */
export function withRenames(u: Universe, renames: Readonly<Record<string, string>>): Universe {
  const entries = Object.entries(renames).map(([from, to]) => [from.toUpperCase(), to.toUpperCase()] as const);
  if (entries.length === 0) return u;
  const map = new Map(entries);
  const aliases = new Map<string, string[]>();
  for (const s of u.symbols) {
    const to = map.get(s) ?? s;
    aliases.set(to, [...(aliases.get(to) ?? []), s]);
  }
  return {
    ...u,
    description: `${u.description} Renamed: ${entries.map(([f, t]) => `${f} -> ${t}`).join(', ')}.`,
    symbols: [...aliases.keys()].sort(),
    isMember: (symbol, date) => (aliases.get(symbol) ?? []).some((old) => u.isMember(old, date)),
  };
}

export function universeOf(spec: UniverseSpec, baseDir: string = process.cwd()): Universe {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  if ('builtin' in spec) return getUniverse(spec.builtin);
  if ('file' in spec) return parseUniverseFile(readText(at(spec.file), 'universe file'), spec.file);
  if ('sector' in spec) {
    if (!spec.constituents) throw new AtlasError('A sector universe needs a constituents file (universe.constituents or --constituents).', { code: 'BAD_UNIVERSE' });
    return bySector(readText(at(spec.constituents), 'constituents file'), spec.sector);
  }
  return withRenames(parseUniverseFile(readText(at(spec.membership), 'membership file'), spec.membership), spec.renames);
}
