/**
 * A dry run only looks: `rebalance --dry-run --account NEW` plans against a new account's cash
 * without creating the account (issue 9: read-only commands never create an account).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDemoStore } from '../backtest/demoStore.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

describe('rebalance --dry-run on a paper account that does not exist', () => {
  it('plans against $100,000 and leaves no account behind', async () => {
    const data = join(tmp(), 'store');
    writeDemoStore(data);
    process.env.ATLAS_CLOCK = '2010-12-31T15:00:00.000Z';
    try {
      const plan = await atlasInProcess(['--data-dir', data, 'rebalance', '--universe', 'technology', '--top-n', '3', '--account', 'FRESH', '--dry-run', '--force', '--json']);
      expect(plan.code, plan.stderr).toBe(0);
      const j = JSON.parse(plan.stdout) as { outcome: string; account?: { equity?: number } };
      expect(j.outcome).toBe('dry_run');
      expect(plan.stdout).toMatch(/100000/);
    } finally {
      delete process.env.ATLAS_CLOCK;
    }
    const look = await atlasInProcess(['--data-dir', data, 'account', '--account', 'FRESH']);
    expect(look.code).toBe(1);
    expect(look.stderr).toMatch(/There is no paper account FRESH/);
  }, 60_000);
});
