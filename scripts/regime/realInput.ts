/**
 * Loads SPY (adjusted close) and VIX (aligned to SPY sessions) from a folder of the shared CSVs
 * (SPY.csv, VIX.csv; see shared/data/README.md) for the regime scripts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBarsCsv } from '../../src/data/csv/barsCsv.js';
import { alignVix } from '../../src/regime/vixLayer.js';
import type { RegimeInput } from '../../src/regime/regimeHistory.js';

export function loadRealInput(dir: string): RegimeInput & { spyClose: Float64Array } {
  const read = (file: string) => {
    const path = join(dir, file);
    const res = parseBarsCsv(readFileSync(path, 'utf8'), path);
    if (res.kind !== 'bars') throw new Error(`${path} is not a price file`);
    return res.bars;
  };
  const spy = read('SPY.csv');
  const dates = spy.map((b) => b.date);
  const vix = alignVix(dates, read('VIX.csv').map((b) => ({ date: b.date, close: b.close })));
  return { dates, spyClose: Float64Array.from(spy, (b) => b.adjClose), vixClose: vix.vix };
}
