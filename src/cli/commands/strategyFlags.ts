import { Option, type Command } from 'commander';
import { AtlasError } from '../../core/errors.js';

/** Flags every strategy command shares: the universe and the scanner's settings. */
export interface UniverseFlagValues {
  universe?: string;
  universeFile?: string;
  sector?: string;
  constituents?: string;
}

export interface ScannerFlagValues {
  topN: string;
  minDistance: string;
  volumeFilter?: boolean;
  volumeMultiplier: string;
}

export function addUniverseOptions(cmd: Command): Command {
  return cmd
    .option('--universe <name>', 'built-in universe: technology, healthcare, financials, sp500_proxy')
    .option('--universe-file <file>', 'a symbol list (one per line) or point-in-time membership rows ticker,start_date,end_date')
    .option('--sector <name>', 'a GICS sector from --constituents, e.g. "Information Technology"')
    .option('--constituents <file>', 'GICS constituents CSV (Symbol, GICS Sector, ...) for --sector');
}

export function addScannerOptions(cmd: Command, defaults: { topN?: string } = {}): Command {
  return cmd
    .option('--top-n <n>', 'number of stocks to hold', defaults.topN ?? '10')
    .option('--min-distance <x>', 'minimum close / 52-week high to be eligible', '0.90')
    .option('--volume-filter', 'also require volume > 1.25 x its 20-session average')
    .addOption(new Option('--volume-multiplier <x>', 'volume filter multiple').default('1.25'));
}

export function intFlag(name: string, raw: string, min = 1): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new AtlasError(`${name} must be a whole number of at least ${min}, got "${raw}".`, { code: 'BAD_FLAG' });
  return v;
}

export function numFlag(name: string, raw: string, lo = -Infinity, hi = Infinity): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < lo || v > hi) throw new AtlasError(`${name} must be a number between ${lo} and ${hi}, got "${raw}".`, { code: 'BAD_FLAG' });
  return v;
}
