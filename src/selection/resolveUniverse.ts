import { existsSync, readFileSync } from 'node:fs';
import { AtlasError } from '../core/errors.js';
import { bySector, getUniverse, parseUniverseFile, type Universe } from './universes.js';

export interface UniverseFlags {
  universe?: string;
  universeFile?: string;
  sector?: string;
  constituents?: string;
}

/** The universe a command's flags name: a built-in list, a file (list or membership) or a GICS sector. */
export function resolveUniverse(flags: UniverseFlags, fallback = 'technology'): Universe {
  const chosen = [flags.universe, flags.universeFile, flags.sector].filter((x) => x !== undefined).length;
  if (chosen > 1) throw new AtlasError('Pass only one of --universe, --universe-file and --sector.', { code: 'BAD_FLAG' });
  if (flags.universeFile) return parseUniverseFile(readText(flags.universeFile, '--universe-file'), flags.universeFile);
  if (flags.sector) {
    if (!flags.constituents) {
      throw new AtlasError('--sector needs --constituents FILE, a GICS constituents CSV such as sp500_constituents_gics.csv.', { code: 'BAD_FLAG' });
    }
    return bySector(readText(flags.constituents, '--constituents'), flags.sector);
  }
  return getUniverse(flags.universe ?? fallback);
}

function readText(path: string, flag: string): string {
  if (!existsSync(path)) throw new AtlasError(`${flag} ${path} does not exist; check the path.`, { code: 'BAD_FLAG' });
  return readFileSync(path, 'utf8');
}
