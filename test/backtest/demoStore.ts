import { buildDemoMarket } from '../../src/data/demo/index.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';

/** A data dir holding a window of the simulated demo market (source 'demo'), written quickly. */
export function writeDemoStore(dir: string, window: { from: string; to: string } = { from: '2003-01-02', to: '2010-12-31' }): void {
  const market = buildDemoMarket({ seed: 42, ...window });
  const db = openDatabase(dir);
  try {
    const store = new BarStore(db, () => new Date('2025-01-02T00:00:00Z'));
    for (const s of market.series) store.replaceBars(s.symbol, 'demo', s.bars, s.actions ?? []);
  } finally {
    db.close();
  }
}
