/**
 * The strategy's gate limits hold at every validation of a run, not only at the plan: BUYs
 * re-validated after the SELL phase use the run's limits (issue 9). Before, the re-validation
 * used the default 15% position cap and stopped a run its own plan had passed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDemoStore } from '../backtest/demoStore.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

describe('BUY re-validation uses the strategy gate limits', () => {
  it('--max-position-pct 0.4 --strict with 3 names (each above 15%) plans, sends and fills', async () => {
    const data = join(tmp(), 'store');
    writeDemoStore(data);
    process.env.ATLAS_CLOCK = '2010-12-31T15:00:00.000Z';
    try {
      const args = ['--data-dir', data, 'rebalance', '--universe', 'technology', '--top-n', '3', '--account', 'CAP', '--yes', '--strict', '--fill-timeout', '5', '--json'];
      const run = await atlasInProcess([...args, '--max-position-pct', '0.4']);
      expect(run.code, run.stderr).toBe(0);
      const j = JSON.parse(run.stdout) as { outcome: string; summary: { filled: number; planned: number } };
      expect(j.outcome).toBe('completed');
      expect(j.summary.planned).toBeGreaterThanOrEqual(2);
      expect(j.summary.filled).toBe(j.summary.planned);
      // The default 15% cap still stops the same plan under --strict (the limit is what decides).
      const capped = await atlasInProcess([...args.map((a) => (a === 'CAP' ? 'CAP2' : a))]);
      expect(capped.code).not.toBe(0);
      expect(capped.stderr).toMatch(/gate 3 \(position size\) failed: .*> 15\.00%/);
    } finally {
      delete process.env.ATLAS_CLOCK;
    }
  }, 60_000);
});
