import { resolve } from 'node:path';

/** Data directory precedence: --data-dir flag > ATLAS_HOME > ./.atlas */
export function resolveDataDir(flag: string | undefined, env: { ATLAS_HOME?: string }, cwd: string = process.cwd()): string {
  if (flag) return resolve(cwd, flag);
  if (env.ATLAS_HOME) return resolve(cwd, env.ATLAS_HOME);
  return resolve(cwd, '.atlas');
}
