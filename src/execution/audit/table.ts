/**
 * @module The audit records as a table for the terminal, in the one table style
 * (core/format.ts): prices to the cent, shares to their precision, long text clipped.
 */
import { fmt, table } from '../../core/format.js';
import type { ExecutionLogRecord } from './row.js';

export function formatLogTable(records: readonly ExecutionLogRecord[], options: { maxReason?: number } = {}): string {
  const maxReason = options.maxReason ?? 60;
  const clip = (s: string | undefined, n: number) => {
    const t = (s ?? '').replace(/\s+/g, ' ');
    return t.length > n ? `${t.slice(0, n - 1)}…` : t;
  };
  const head = ['time (NY)', 'event', 'symbol', 'side', 'qty', 'price', 'status/result', 'reason'];
  const rows = records.map((r) => [
    r.timestamp.slice(0, 19).replace('T', ' '),
    r.event,
    r.symbol ?? '',
    r.side ?? '',
    r.fillQty !== undefined ? fmt.shares(r.fillQty) : r.qty !== undefined ? fmt.shares(r.qty) : '',
    r.fillPrice !== undefined ? fmt.price(r.fillPrice) : r.limitPrice !== undefined ? fmt.price(r.limitPrice) : '',
    r.gate !== undefined ? `G${r.gate} ${r.result ?? ''}` : (r.status ?? r.result ?? ''),
    clip(r.reason, maxReason),
  ]);
  return table(head, rows, { left: [0, 1, 2, 3, 6, 7] });
}
