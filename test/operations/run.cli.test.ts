import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/data/store/database.js';
import { acquireDataDirLease } from '../../src/execution/lease/index.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { daemonLiveness } from '../../src/operations/daemon/heartbeat.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';
import { writeDemoStore } from '../backtest/demoStore.js';
import { writeReplayStrategy } from './replayHelpers.js';

const tmp = useTempDirs();

function deployedDir(): string {
  const dir = tmp();
  // The store ends at the evening rehearsed, as a synced store would (later bars are refused by pre-flight P4).
  writeDemoStore(dir, { from: '2003-01-02', to: '2006-04-03' });
  const strategy = writeReplayStrategy(dir, { regime: { model: 'sma200', mode: 'rebalance' }, accounts: [{ name: 'ONCE', broker: 'paper' }] });
  writeFileSync(join(dir, 'atlas.operations.json'), JSON.stringify({ run: { strategies: [strategy], syncProvider: 'none' } }));
  return dir;
}

describe('atlas run --once, atlas service install (through the real parser)', () => {
  it('run --once --at after a rebalance session close queues the rebalance, writes the snapshot and the heartbeat, and exits', async () => {
    const dir = deployedDir();
    const r = await atlasInProcess(['--data-dir', dir, 'run', '--once', '--at', '2006-04-03T20:31:00Z']);
    expect(r.stderr).not.toMatch(/unexpected/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/after_close:2006-04-03 \(new\): done/);
    expect(r.stdout).toMatch(/ONCE: rebalance \(scheduled\) queued/);
    const db = openDatabase(dir);
    try {
      expect(new RunStore(db).list(10).map((x) => [x.tradeDate, x.status])).toEqual([['2006-04-03', 'queued']]);
    } finally {
      db.close();
    }
    const hb = daemonLiveness(dir, new Date());
    expect(hb.alive).toBe(false);
    expect(hb.heartbeat?.nextJob?.id).toBe('after_open:2006-04-04');
    // again at the same moment: nothing is done twice
    const again = await atlasInProcess(['--data-dir', dir, 'run', '--once', '--at', '2006-04-03T20:31:00Z']);
    expect(again.stdout).toMatch(/nothing due at 2006-04-03T20:31:00.000Z; next: after_open:2006-04-04/);
  }, 120_000);

  it('a second daemon on the same data directory is refused, naming the holder', async () => {
    const dir = deployedDir();
    const db = openDatabase(dir);
    try {
      acquireDataDirLease(db, { dataDir: dir, holderId: 'daemon-other', ttlMs: 600_000, clock: new ManualClock(new Date()) });
      const r = await atlasInProcess(['--data-dir', dir, 'run', '--once', '--at', '2006-04-03T20:31:00Z']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/daemon-other/);
    } finally {
      db.close();
    }
  }, 120_000);

  it('service install writes a systemd user unit and prints the cron line', async () => {
    const dir = tmp();
    const out = tmp();
    const r = await atlasInProcess(['--data-dir', dir, 'service', 'install', '--dir', out]);
    expect(r.code).toBe(0);
    const unit = readFileSync(join(out, 'atlas.service'), 'utf8');
    expect(unit).toMatch(new RegExp(`ExecStart=.* run --data-dir ${dir.replace(/[/.]/g, '\\$&')}`));
    expect(unit).toMatch(/Restart=on-failure/);
    expect(unit).toMatch(/KillSignal=SIGTERM/);
    expect(r.stdout).toMatch(/\*\/15 \* \* \* 1-5 .* run --once --data-dir/);
  });
});
