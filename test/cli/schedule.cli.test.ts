import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
afterEach(() => {
  delete process.env.ATLAS_CLOCK;
});

describe('atlas schedule', () => {
  it('lists the coming jobs in New York time from the operations file, rebalances on their dates', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'large.json'), JSON.stringify({ name: 'tech', rebalance: 'semiannual', accounts: [{ name: 'LARGE', broker: 'paper' }] }));
    writeFileSync(join(dir, 'atlas.operations.json'), '// ops\n{"run": {"strategies": ["large.json"], "afterCloseDelayMinutes": 45}}');
    process.env.ATLAS_CLOCK = '2024-07-31T12:00:00Z';
    const r = await atlasInProcess(['--data-dir', dir, 'schedule', '--days', '3', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { jobs: { id: string; atNewYork: string; rebalances: string[] }[] };
    expect(out.jobs.map((j) => [j.id, j.atNewYork, j.rebalances])).toEqual([
      ['after_open:2024-07-31', 'Wed 2024-07-31 09:35 ET', []],
      ['after_close:2024-07-31', 'Wed 2024-07-31 16:45 ET', []],
      ['after_open:2024-08-01', 'Thu 2024-08-01 09:35 ET', []],
      ['after_close:2024-08-01', 'Thu 2024-08-01 16:45 ET', ['LARGE']],
      ['after_open:2024-08-02', 'Fri 2024-08-02 09:35 ET', []],
      ['after_close:2024-08-02', 'Fri 2024-08-02 16:45 ET', []],
    ]);
    const text = await atlasInProcess(['--data-dir', dir, 'schedule', '--days', '2']);
    expect(text.stdout).toMatch(/Thu 2024-08-01 16:45 ET.*rebalance LARGE \(scheduled\)/);
  });

  it('without any deployed strategy it says how to deploy one', async () => {
    const dir = tmp();
    const r = await atlasInProcess(['--data-dir', dir, 'schedule', '--config', join(dir, 'none.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Operations file .* does not exist/);
    writeFileSync(join(dir, 'atlas.operations.json'), '{}');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r2 = await atlasInProcess(['--data-dir', dir, 'schedule']);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toMatch(/No strategy is deployed: list strategy files under "run"/);
    } finally {
      process.chdir(cwd);
    }
  });
});
