import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/** Data directory precedence: --data-dir flag > ATLAS_HOME > ./.atlas */
export function resolveDataDir(flag: string | undefined, env: { ATLAS_HOME?: string }, cwd: string = process.cwd()): string {
  if (flag) return resolve(cwd, flag);
  if (env.ATLAS_HOME) return resolve(cwd, env.ATLAS_HOME);
  return resolve(cwd, '.atlas');
}

/** A data directory's canonical path (symlinks resolved), or the path itself when it does not exist yet. */
export function canonicalDataDir(dataDir: string): string {
  try {
    return realpathSync(dataDir);
  } catch {
    return resolve(dataDir);
  }
}
