import { describe, expect, it } from 'vitest';
import type { FakeAccount } from '../support/fakeAlpaca.js';
import { faultRun } from './scenarios.js';
import { addCounts } from './summary.js';

/**
 * e. Through the CLI on the fake Alpaca: order statuses Atlas does not know, a single 404 on a
 * poll, and accounts that must not trade (refused at pre-flight P1, before any order).
 */
describe('broker faults at the CLI (alpaca)', () => {
  it.each(['pending_review', 'some_status_alpaca_adds_later'])('status %s is treated as working; the run completes', async (status) => {
    const r = await faultRun((f) => f.setFillPolicy({ kind: 'oddStatus', status, polls: 2 }));
    expect(r.run.code, r.run.stderr).toBe(0);
    expect(r.run.outcome).toBe('completed');
    expect(r.filled).toBe(r.orders);
    expect(r.duplicates).toEqual([]);
    expect(r.lost).toEqual([]);
    addCounts({ trials: 1 });
  });

  it('a single 404 on a poll: orders are looked up by client order id, the run completes', async () => {
    let armed = true;
    const r = await faultRun(
      (f) => f.setFillPolicy({ kind: 'afterPolls', polls: 3 }),
      (f, req) => {
        // Armed by the first order POST, so the 404 answers the first poll of the SELL phase.
        if (armed && req.route === 'POST /v2/orders') {
          armed = false;
          f.injectFault({ route: 'GET /v2/orders', kind: 'not_found' });
        }
      },
    );
    expect(r.faultsLeft).toBe(0); // the 404 was served
    expect(r.byClientId).toBeGreaterThan(0); // ... and answered by lookups by client order id
    expect(r.run.code, r.run.stderr).toBe(0);
    expect(r.run.outcome).toBe('completed');
    expect(r.posts).toBe(r.orders);
    expect(r.duplicates).toEqual([]);
    expect(r.lost).toEqual([]);
    addCounts({ trials: 1, scenarios: 1 });
  });

  const refusals: [string, Partial<FakeAccount>, RegExp][] = [
    ['trading_blocked', { tradingBlocked: true }, /trading_blocked/],
    ['account_blocked', { accountBlocked: true }, /account_blocked/],
    ['trade_suspended_by_user', { tradeSuspendedByUser: true }, /trade_suspended_by_user/],
    ['status ACCOUNT_CLOSED', { status: 'ACCOUNT_CLOSED' }, /ACCOUNT_CLOSED/],
  ];
  it.each(refusals)('%s: refused at P1 before any order', async (_name, flags, why) => {
    const r = await faultRun((f) => Object.assign(f.state.account, flags));
    expect(r.run.code).not.toBe(0);
    expect(r.run.stderr).toMatch(/stopped before sending any order: gate 0 \(pre-flight P1 account status\) failed/);
    expect(r.run.stderr).toMatch(why);
    expect(r.posts).toBe(0);
    addCounts({ trials: 1 });
  });
});
