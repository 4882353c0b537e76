import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoMarket } from '../../src/data/demo/index.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { srcHash } from '../support/sourceHash.js';

function build(dir: string, window: { from: string; to: string }): void {
  const market = buildDemoMarket({ seed: 42, ...window });
  const db = openDatabase(dir);
  try {
    const store = new BarStore(db, () => new Date('2025-01-02T00:00:00Z'));
    for (const s of market.series) store.replaceBars(s.symbol, 'demo', s.bars, s.actions ?? []);
  } finally {
    db.close();
  }
}

/**
 * A data dir holding a window of the simulated demo market (source 'demo'), written quickly: the
 * store of each window is built once (per version of src/, in the system temp folder; built in a
 * temporary folder and renamed into place, so files building it at once never see half of one)
 * and copied.
 */
export function writeDemoStore(dir: string, window: { from: string; to: string } = { from: '2003-01-02', to: '2010-12-31' }): void {
  const cached = join(tmpdir(), `atlas-demo-store-${srcHash()}-${window.from}-${window.to}`);
  if (!existsSync(cached)) {
    const part = mkdtempSync(`${cached}-build-`);
    try {
      build(part, window);
      renameSync(part, cached);
    } catch (err) {
      rmSync(part, { recursive: true, force: true });
      if (!existsSync(cached)) throw err; // otherwise another file finished first: use its build
    }
  }
  cpSync(cached, dir, { recursive: true });
}
