import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/data/store/database.js';
import { buildSnapshot, missingSnapshot } from '../../src/operations/snapshots/snapshot.js';
import { SnapshotStore } from '../../src/operations/snapshots/snapshotStore.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

const input = {
  account: 'LARGE',
  broker: 'paper',
  session: '2024-03-05',
  takenAt: new Date('2024-03-05T21:30:00Z'),
  source: 'live' as const,
  strategyHash: 'abc',
  cash: 30_000,
  holdings: [{ symbol: 'AAPL', qty: 100, }, { symbol: 'MSFT', qty: 50 }],
  prices: new Map([['AAPL', 170], ['MSFT', 400], ['NVDA', 850]]),
  targets: { AAPL: 0.35, NVDA: 0.35 },
  regime: 'TREND_NEUTRAL',
  allocation: 0.7,
  spyClose: 507.18,
};

describe('daily snapshots', () => {
  it('values holdings at the close and measures drift against targets (hand-computed)', () => {
    const s = buildSnapshot(input);
    // equity = 30,000 + 17,000 + 20,000 = 67,000
    expect(s.equity).toBe(67_000);
    expect(s.exposure).toBeCloseTo(37_000 / 67_000, 6);
    expect(s.exposureDrift).toBeCloseTo(37_000 / 67_000 - 0.7, 6);
    expect(s.positions.map((p) => [p.symbol, p.qty, p.value, p.weight, p.target, p.drift])).toEqual([
      ['AAPL', 100, 17_000, 0.253731, 0.35, -0.096269],
      ['MSFT', 50, 20_000, 0.298507, 0, 0.298507],
      ['NVDA', 0, 0, 0, 0.35, -0.35],
    ]);
  });

  it('a session is written once; a second write (a crash and a rerun) is refused', () => {
    const db = openDatabase(tmp());
    const store = new SnapshotStore(db);
    expect(store.write(buildSnapshot(input))).toBe(true);
    expect(store.write(buildSnapshot({ ...input, cash: 1 }))).toBe(false);
    expect(store.get('paper', 'LARGE', '2024-03-05')!.cash).toBe(30_000);
    expect(store.write(missingSnapshot('LARGE', 'paper', '2024-03-06', new Date('2024-03-07T14:00:00Z'), 'daemon was down; the broker has no history for it'))).toBe(true);
    const both = store.between('paper', 'LARGE', '2024-03-01', '2024-03-31');
    expect(both.map((s) => [s.session, s.source])).toEqual([['2024-03-05', 'live'], ['2024-03-06', 'missing']]);
    expect(Number.isNaN(both[1].equity)).toBe(true);
    expect(store.last('paper', 'LARGE')!.session).toBe('2024-03-06');
    expect(store.listAccounts()).toEqual([{ broker: 'paper', account: 'LARGE' }]);
    db.close();
  });
});
