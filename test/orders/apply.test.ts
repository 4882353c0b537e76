import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/data/store/database.js';
import type { ExecutionEventInput } from '../../src/execution/audit/executionLog.js';
import type { OrderEvent } from '../../src/execution/orders/events.js';
import { eventToAudit } from '../../src/execution/orders/toAudit.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const CID = 'atlas-20261124-0123abcd-X-buy';
const ref = { clientOrderId: CID, symbol: 'X', side: 'buy', qty: 10 } as const;
const accepted: OrderEvent = { ...ref, kind: 'Accepted', brokerOrderId: 'b1', brokerStatus: 'new', filledQty: 0, filledAvgPrice: null, orderType: 'market', reconciled: false };
const filled: OrderEvent = { ...ref, kind: 'Filled', brokerOrderId: 'b1', brokerStatus: 'filled', filledQty: 10, filledAvgPrice: 9.5, filledAt: null, note: null };

function store(): RunStore {
  const db = openDatabase(tmp());
  const runs = new RunStore(db, new ManualClock('2026-11-24T15:00:00Z'));
  runs.create(
    { runId: '20261124-0123abcd', tradeDate: '2026-11-24', account: 'LARGE', broker: 'paper', params: { universe: 't', topN: 1, regimeOverride: null, minNotional: 0, force: false, strict: false }, signal: {} },
    [{ clientOrderId: CID, seq: 1, leg: 'buy', symbol: 'X', side: 'buy', intent: 'OPEN', plannedQty: 10, qty: 10, refPrice: 9 }],
  );
  return runs;
}

describe('RunStore.apply', () => {
  it('writes the state, the fields, the stored event and the audit line from the same event', () => {
    const runs = store();
    const lines: ExecutionEventInput[] = [];
    const sink = { append: (e: ExecutionEventInput) => lines.push(e) };
    runs.apply({ ...ref, kind: 'Submitted' }, sink);
    runs.apply(accepted, sink);
    const o = runs.apply(filled, sink);
    expect(o).toMatchObject({ state: 'filled', brokerOrderId: 'b1', brokerStatus: 'filled', filledQty: 10, filledAvgPrice: 9.5 });
    // Submitted renders no line; the others render exactly eventToAudit of the stored event.
    expect(lines).toEqual([eventToAudit(accepted), eventToAudit(filled)]);
    const stored = runs.events({ clientOrderId: CID });
    expect(stored.map((e) => [e.fromState, e.toState, e.event.kind])).toEqual([
      [null, 'planned', 'Planned'],
      ['planned', 'submitting', 'Submitted'],
      ['submitting', 'working', 'Accepted'],
      ['working', 'filled', 'Filled'],
    ]);
    expect(stored[3].event).toEqual(filled);
  });

  it('an illegal move throws INVALID_ORDER_TRANSITION and writes neither the line nor the state', () => {
    const runs = store();
    const lines: ExecutionEventInput[] = [];
    expect(() => runs.apply(filled, { append: (e) => lines.push(e) })).toThrow(expect.objectContaining({ code: 'INVALID_ORDER_TRANSITION' }) as Error);
    expect(lines).toEqual([]);
    expect(runs.order(CID)!.state).toBe('planned');
    expect(runs.events({ clientOrderId: CID })).toHaveLength(1);
  });

  it('a crash between the audit line and the state change: the line is kept, the state is not; applying again repeats the line, never loses it', () => {
    const runs = store();
    const lines: ExecutionEventInput[] = [];
    runs.apply({ ...ref, kind: 'Submitted' });
    runs.apply(accepted);
    // The process "dies" right after the audit append (the transaction never runs).
    const dying = { append: (e: ExecutionEventInput) => { lines.push(e); throw new Error('SIGKILL (simulated)'); } };
    expect(() => runs.apply(filled, dying)).toThrow('SIGKILL');
    expect(lines).toHaveLength(1);
    expect(runs.order(CID)!.state).toBe('working');
    // On resume the broker still says filled: the same event is derived and applied again.
    runs.apply(filled, { append: (e) => lines.push(e) });
    expect(runs.order(CID)!.state).toBe('filled');
    expect(lines).toEqual([eventToAudit(filled), eventToAudit(filled)]);
    expect(runs.events({ clientOrderId: CID }).filter((e) => e.event.kind === 'Filled')).toHaveLength(1);
  });
});
