/**
 * @module The audit records as a plain-text table for the terminal (no colours, fixed columns,
 * long text clipped).
 */
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
    r.fillQty !== undefined ? String(r.fillQty) : r.qty !== undefined ? String(r.qty) : '',
    r.fillPrice !== undefined ? String(r.fillPrice) : r.limitPrice !== undefined ? String(r.limitPrice) : '',
    r.gate !== undefined ? `G${r.gate} ${r.result ?? ''}` : (r.status ?? r.result ?? ''),
    clip(r.reason, maxReason),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
