/**
 * @module The command word of a command line, read before anything is loaded: `modulesFor`
 * (main.ts) picks the command modules by it, and the bundle loader keys its code cache by it
 * (bundleLoader.ts). Imports nothing, so `bin/atlas.js` can read it before the CLI loads.
 */

/** Global options that take a value (`--data-dir DIR`), so DIR is not read as the command name. */
export const GLOBAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--data-dir', '--log-level']);

/**
 * The first argument naming a command, skipping the global options and their values:
 * `{ word }` for `atlas --data-dir d backtest ...`; `{ versionOnly: true }` for a bare `--version`;
 * `{}` when there is no command or an option comes first that is not global (help, `--foo`).
 */
export function commandWord(args: readonly string[]): { word?: string; versionOnly?: boolean } {
  let versionOnly = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') break;
    if (GLOBAL_VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (a === '--version' || a === '-V') {
      versionOnly = true;
      continue;
    }
    if (a.startsWith('-')) {
      if (GLOBAL_VALUE_OPTIONS.has(a.split('=')[0])) continue;
      return {};
    }
    return { word: a };
  }
  return versionOnly ? { versionOnly } : {};
}
