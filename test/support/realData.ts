import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBarsCsv } from '../../src/data/csv/barsCsv.js';
import type { DailyBar } from '../../src/data/bar.js';

/**
 * Real market history (../shared/data) for tests. CI sets ATLAS_REAL_DATA; on a user's fresh
 * machine it is unset and the real-data suites skip with the message below.
 */
export function realDataDir(): string | undefined {
  const dir = process.env.ATLAS_REAL_DATA;
  return dir && existsSync(join(dir, 'SPY.csv')) ? dir : undefined;
}

export const REAL_DATA_SKIP_MESSAGE =
  'real-data tests skipped: set ATLAS_REAL_DATA to the shared/data folder (SPY.csv, VIX.csv, stocks/) to run them';

const cache = new Map<string, DailyBar[]>();

/** Bars of SPY, VIX (top level) or a stock (stocks/SYMBOL.csv). Throws when ATLAS_REAL_DATA is unset. */
export function loadRealBars(symbol: string): DailyBar[] {
  const dir = realDataDir();
  if (!dir) throw new Error(REAL_DATA_SKIP_MESSAGE);
  const hit = cache.get(symbol);
  if (hit) return hit;
  const top = join(dir, `${symbol}.csv`);
  const path = existsSync(top) ? top : join(dir, 'stocks', `${symbol}.csv`);
  const res = parseBarsCsv(readFileSync(path, 'utf8'), path);
  if (res.kind !== 'bars') throw new Error(`${path} is not a price file`);
  cache.set(symbol, res.bars);
  return res.bars;
}
