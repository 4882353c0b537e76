import { describe, expect, it } from 'vitest';
import { parityStart } from '../../src/operations/parity/start.js';
import type { AccountSnapshot } from '../../src/operations/snapshots/snapshot.js';

const snap = (session: string) => ({ account: 'A', broker: 'paper', session, equity: 100 }) as AccountSnapshot;
const snaps = ['2024-01-10', '2024-01-11', '2024-02-01', '2024-02-02'].map(snap);

describe('where the comparison with the backtest starts', () => {
  it('on the first snapshot when the account rebalanced on it, before it, or never decided', () => {
    for (const d of [undefined, '2024-01-10', '2024-01-02']) {
      const s = parityStart(snaps, d);
      expect(s.snapshots.map((x) => x.session)).toEqual(snaps.map((x) => x.session));
      expect(s.note).toBeUndefined();
    }
  });

  it('on the first rebalance of an account started between two, saying so', () => {
    const s = parityStart(snaps, '2024-02-01');
    expect(s.snapshots.map((x) => x.session)).toEqual(['2024-02-01', '2024-02-02']);
    expect(s.note).toMatch(/started on 2024-01-10 and first rebalanced on 2024-02-01/);
  });

  it('keeps every snapshot, with a note, when the first rebalance is still to come', () => {
    const s = parityStart(snaps, '2024-03-01');
    expect(s.snapshots).toHaveLength(4);
    expect(s.note).toMatch(/has not rebalanced yet/);
  });
});
