import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine.js';
import { syntheticPanel } from '../../src/backtest/synthetic.js';

/** The backtest evaluates the live gates on each rebalance batch (reported, not enforced). */
describe('live gates in the backtest', () => {
  const panel = syntheticPanel({ symbols: 12, sessions: 700, seed: 5, drift: 0.001 });

  it('reports seven verdicts per rebalance; three names of 33% each warn on position size', () => {
    const r = runBacktest(panel, null, { topN: 3, minDistance: 0.5, rebalance: 'quarterly' });
    const traded = r.rebalances.filter((b) => b.chosen.length === 3);
    expect(traded.length).toBeGreaterThan(0);
    for (const b of r.rebalances) expect(b.gates).toHaveLength(7);
    // 1/3 of equity per name > the 15% position limit: gate 3 warns, nothing fails.
    expect(traded[0].gates![2]).toBe('WARN');
    for (const b of r.rebalances) expect(b.gates).not.toContain('FAIL');
  });

  it('ten names of 10% pass every gate, and the verdicts do not change the equity', () => {
    const a = runBacktest(panel, null, { topN: 10, minDistance: 0.5, rebalance: 'quarterly' });
    const first = a.rebalances.find((b) => b.chosen.length === 10)!;
    expect(first.gates).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
    const b = runBacktest(panel, null, { topN: 10, minDistance: 0.5, rebalance: 'quarterly' });
    expect(Array.from(b.equity)).toEqual(Array.from(a.equity));
  });

  it('whole shares are checked as whole shares (gate 1 passes)', () => {
    const r = runBacktest(panel, null, { topN: 5, minDistance: 0.5, wholeShares: true, rebalance: 'quarterly' });
    for (const b of r.rebalances) expect(b.gates![0]).toBe('PASS');
  });
});

