/**
 * @module The hash chain that makes the audit trail tamper-evident.
 *
 * A record's last two cells are `prev_hash` and `hash`. `hash` is the SHA-256 (lower-case hex)
 * of the record's line text up to and including its `prev_hash` cell (everything before
 * `,<hash>`), and `prev_hash` is the `hash` of the record before it: the previous record of the
 * same file, or the last record of the previous file for the first record of a rotated-in file.
 * The first record ever, and the first after a legacy (pre-chain) file, link to GENESIS_HASH.
 * So an edited record no longer matches its own hash, and a removed, inserted or reordered one
 * breaks the link of the record after it.
 */
import { createHash } from 'node:crypto';
import { EVENT_COLUMNS, EXECUTION_LOG_COLUMNS, HEADER_TEXT, LEGACY_HEADER_TEXT, isExecutionEvent, joinCells, splitCells, unescapeCell } from './format.js';

export const GENESIS_HASH = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;
const EVENT_NAME = /^[A-Z][A-Z0-9_]*$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The line text (no line end) of a record: escaped event cells, then prev_hash and hash. */
export function sealLine(escapedEventCells: readonly string[], prevHash: string): { text: string; hash: string } {
  const body = `${joinCells(escapedEventCells)},${prevHash}`;
  const hash = sha256Hex(body);
  return { text: `${body},${hash}`, hash };
}

/** One physical line, judged on its own. */
export type LineKind =
  | { kind: 'header' }
  | { kind: 'legacy-header' }
  /** A chained record: cells unescaped; `intact` = its own hash matches its text. */
  | { kind: 'record'; cells: string[]; prevHash: string; hash: string; intact: boolean }
  /** A complete legacy (19-cell, pre-chain) record. */
  | { kind: 'legacy'; cells: string[] }
  /** Torn, edited beyond parsing, or not an audit line at all. */
  | { kind: 'bad'; why: string };

export function classifyLine(text: string): LineKind {
  if (text === HEADER_TEXT) return { kind: 'header' };
  if (text === LEGACY_HEADER_TEXT) return { kind: 'legacy-header' };
  const cells = splitCells(text);
  if (cells === undefined) return { kind: 'bad', why: 'unbalanced quotes' };
  if (cells.length === EXECUTION_LOG_COLUMNS.length) {
    const prevHash = cells[EVENT_COLUMNS.length];
    const hash = cells[EVENT_COLUMNS.length + 1];
    if (!HEX64.test(prevHash) || !HEX64.test(hash)) return { kind: 'bad', why: 'no valid hash cells' };
    if (!EVENT_NAME.test(cells[2])) return { kind: 'bad', why: `no event name in the event cell` };
    const intact = sha256Hex(text.slice(0, text.length - hash.length - 1)) === hash;
    return { kind: 'record', cells: cells.slice(0, EVENT_COLUMNS.length).map(unescapeCell), prevHash, hash, intact };
  }
  const legacy = legacyRecord(cells);
  if (legacy) return legacy;
  return { kind: 'bad', why: `${cells.length} cells, expected ${EXECUTION_LOG_COLUMNS.length}` };
}

/** A legacy record is 19 cells with a known event (legacy cells hold raw text: no unescaping). */
export function legacyRecord(cells: readonly string[]): { kind: 'legacy'; cells: string[] } | undefined {
  return cells.length === EVENT_COLUMNS.length && isExecutionEvent(cells[2]) ? { kind: 'legacy', cells: [...cells] } : undefined;
}
