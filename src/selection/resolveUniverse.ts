import { existsSync, readFileSync } from 'node:fs';
import { AtlasError } from '../core/errors.js';
import { listSome } from '../core/text.js';
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

export interface MembershipCoverage {
  /** Members on at least one session of the window. */
  members: number;
  /** Those of them with no price bar on any session of the window. */
  withoutData: string[];
  /** A sentence for the terminal and the report when any member has no data, else null. */
  warning: string | null;
}

/**
 * How much of a point-in-time universe the store can actually trade over a backtest window. A
 * member without prices is never eligible, and those are mostly the names that later left the
 * index: the run is then survivorship-biased again, however honest the membership file is.
 */
export function membershipCoverage(universe: Universe, sessions: readonly string[], hasBar: (symbol: string, session: string) => boolean): MembershipCoverage {
  let members = 0;
  const withoutData: string[] = [];
  for (const symbol of universe.symbols) {
    let member = false;
    let priced = false;
    for (const d of sessions) {
      if (!universe.isMember(symbol, d)) continue;
      member = true;
      if (hasBar(symbol, d)) {
        priced = true;
        break;
      }
    }
    if (!member) continue;
    members++;
    if (!priced) withoutData.push(symbol);
  }
  const window = sessions.length ? `${sessions[0]} .. ${sessions[sessions.length - 1]}` : 'the window';
  const warning = withoutData.length === 0
    ? null
    : `${withoutData.length} of ${members} members of ${universe.name} in ${window} have no price data (${listSome(withoutData)}); they were never eligible, so the result is still survivorship-biased. Import their history to remove the bias.`;
  return { members, withoutData, warning };
}
