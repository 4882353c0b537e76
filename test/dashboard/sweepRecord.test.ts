/** `atlas sweep` records its run in the research store (kind 'sweep'), with the numbers its --json prints. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResearchStore } from '../../src/backtest/report/researchStore.js';
import { SWEEP_ROWS_KEPT, sweepRowName } from '../../src/backtest/report/sweepRecord.js';
import { openDatabase } from '../../src/data/store/database.js';
import { writeDemoStore } from '../backtest/demoStore.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

describe('atlas sweep in the research store', () => {
  it('records the configuration count, the grid, the best configuration, the deflated Sharpe ratio and PBO, and the best-ranked metrics', async () => {
    const dir = tmp();
    writeDemoStore(dir);
    const grid = join(dir, 'grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [3, 5], minDistance: [0.85, 0.95], regimeMode: ['off', 'daily'] }));
    const r = await atlasInProcess(['--data-dir', dir, 'sweep', '--universe', 'technology', '--grid', grid, '--from', '2006-01-03', '--workers', '0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const db = openDatabase(dir, { readonly: true });
    try {
      const runs = new ResearchStore(db).recent(10);
      expect(runs).toHaveLength(1);
      const s = runs[0];
      expect(s).toMatchObject({ kind: 'sweep', strategyHash: j.best.hash, simulated: true, reportPath: null, firstDate: '2006-01-03' });
      expect(s.title).toBe('sweep of technology: 8 configurations by sharpe');
      expect(s.lastDate > s.firstDate).toBe(true);
      expect(s.settings).toMatchObject({ universe: 'technology', configurations: 8, 'rank by': 'sharpe', 'best strategy hash': j.best.hash, grid: JSON.stringify(j.grid) });
      expect(s.settings['deflated Sharpe']).toBeCloseTo(j.overfitting.deflatedSharpe.dsr, 12);
      expect(s.settings['deflated Sharpe trials']).toBe(8);
      expect(s.settings.PBO).toBeCloseTo(j.overfitting.pbo.pbo, 12);
      const names = Object.keys(s.metrics);
      expect(names).toHaveLength(Math.min(8, SWEEP_ROWS_KEPT));
      for (const [k, row] of (j.results as { rank: number; strategyHash: string; values: Record<string, unknown>; metrics: { sharpe: number; cagr: number } }[]).entries()) {
        expect(names[k]).toBe(sweepRowName({ rank: row.rank, hash: row.strategyHash, values: row.values }));
        expect(s.metrics[names[k]].sharpe).toBeCloseTo(row.metrics.sharpe, 12);
        expect(s.metrics[names[k]].cagr).toBeCloseTo(row.metrics.cagr, 12);
      }
      expect(names[0]).toMatch(/^#1 topN [35], minDistance 0\.(85|95), regimeMode (off|daily) \([0-9a-f]{8}\)$/);
    } finally {
      db.close();
    }
  }, 180_000);
});
