/**
 * The paper broker's sessionOrderFill option: a market order placed during a session whose bar the
 * store has fills at that session's close by default, at its open with 'open' (what `atlas replay`
 * sets for a strategy that fills at the open). Orders placed while closed are not affected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Clock, mkt, paper, seedStore, SESSION, WAIT } from './helpers.js';

const SLIP = 5 / 10_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function rig(sessionOrderFill?: 'open' | 'close') {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-sof-'));
  dirs.push(dir);
  const store = seedStore(dir);
  const clock = new Clock(SESSION);
  return { store, clock, broker: paper(store, clock, sessionOrderFill ? { sessionOrderFill } : {}) };
}

describe('sessionOrderFill', () => {
  it('default: a market BUY placed during the 2024-01-10 session fills at its close (110)', async () => {
    const { store, broker } = rig();
    const o = await broker.submitOrder(mkt('AAA', 'buy', 10));
    expect((await broker.waitForFill(o.id, WAIT)).filledAvgPrice).toBeCloseTo(110 * (1 + SLIP), 10);
    store.db.close();
  });

  it("'open': the same order fills at the session's open (108), basis open", async () => {
    const { store, broker } = rig('open');
    const o = await broker.submitOrder(mkt('AAA', 'buy', 10));
    expect((await broker.waitForFill(o.id, WAIT)).filledAvgPrice).toBeCloseTo(108 * (1 + SLIP), 10);
    const [fill] = broker.getFills(o.id);
    expect(fill).toMatchObject({ basis: 'open', barDate: '2024-01-10', basePrice: 108 });
    store.db.close();
  });

  it("'open': a BUY the cash pays for at the open (108) but not at the close (110) is admitted and filled", async () => {
    const qty = 925; // 925 x 108 x 1.0005 = 99,949.98; 925 x 110 x 1.0005 = 101,800.88
    const a = rig('open');
    const o = await a.broker.submitOrder(mkt('AAA', 'buy', qty));
    expect((await a.broker.waitForFill(o.id, WAIT)).status).toBe('filled');
    a.store.db.close();
    const b = rig();
    await expect(b.broker.submitOrder(mkt('AAA', 'buy', qty))).rejects.toThrow(/insufficient cash/);
    b.store.db.close();
  });

  it("'open' leaves an order placed while closed alone: it fills at the next session's open", async () => {
    const { store, clock, broker } = rig('open');
    clock.set('2024-01-09T22:00:00Z'); // after the 2024-01-09 close
    const o = await broker.submitOrder(mkt('AAA', 'buy', 10));
    clock.set(SESSION);
    expect((await broker.waitForFill(o.id, WAIT)).filledAvgPrice).toBeCloseTo(108 * (1 + SLIP), 10);
    store.db.close();
  });
});
