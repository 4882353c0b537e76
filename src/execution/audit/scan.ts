/**
 * @module Cutting one audit file into entries, forwards (reader, verify) and backwards (the
 * writer, looking for the hash to link to), with line numbers and byte offsets.
 *
 * Lines are split on LF only, and every line is judged on its own (chain.ts), so a torn line
 * is one bad entry and never swallows the next. The one exception is a legacy file, whose
 * quoted cells could span lines: there an unbalanced line is joined with the following ones
 * only if that yields one complete legacy record and swallows no line that is a record itself.
 */
import { classifyLine, legacyRecord, type LineKind } from './chain.js';
import { splitCells } from './format.js';
import type { AuditFs } from './auditFs.js';

export type ScanEntry = LineKind & {
  /** 1-based line and byte offset where the entry starts. */
  line: number;
  offset: number;
  /** Physical lines it spans (more than 1 only for a legacy multi-line record). */
  span: number;
  /** false for a last line without its LF (a write cut short). */
  terminated: boolean;
};

interface PhysicalLine {
  raw: string;
  offset: number;
  terminated: boolean;
}

function physicalLines(buf: Buffer): PhysicalLine[] {
  const out: PhysicalLine[] = [];
  let start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl === -1 ? buf.length : nl;
    out.push({ raw: buf.toString('utf8', start, end), offset: start, terminated: nl !== -1 });
    start = end + 1;
  }
  return out;
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

const MAX_LEGACY_SPAN = 200;

export function scanBuffer(buf: Buffer): ScanEntry[] {
  const lines = physicalLines(buf);
  const kinds = lines.map((l) => classifyLine(stripCr(l.raw)));
  const legacyFile = kinds[0]?.kind === 'legacy-header';
  const out: ScanEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const k = kinds[i];
    const at = { line: i + 1, offset: lines[i].offset, terminated: lines[i].terminated };
    if (k.kind === 'bad' && legacyFile) {
      const j = legacyJoin(lines, kinds, i);
      if (j !== undefined) {
        out.push({ ...j.record, ...at, span: j.end - i + 1, terminated: lines[j.end].terminated });
        i = j.end;
        continue;
      }
    }
    out.push({ ...k, ...at, span: 1 });
  }
  return out;
}

function legacyJoin(lines: PhysicalLine[], kinds: LineKind[], i: number): { record: { kind: 'legacy'; cells: string[] }; end: number } | undefined {
  let text = lines[i].raw;
  for (let j = i + 1; j < lines.length && j - i < MAX_LEGACY_SPAN; j++) {
    const kind = kinds[j].kind;
    if (kind !== 'bad') return undefined;
    text += `\n${lines[j].raw}`;
    const cells = splitCells(stripCr(text), true);
    if (cells === undefined) continue;
    const record = legacyRecord(cells);
    return record ? { record, end: j } : undefined;
  }
  return undefined;
}

/** The hash the next record written after this file's content must link to. */
export type ChainTail = { found: 'hash'; hash: string } | { found: 'genesis' } | { found: 'none' };

/**
 * Reads `fd` backwards from `size` to the last line that settles the link: a record (its hash),
 * a legacy line or header (the chain restarts: genesis), or this file's header (nothing here:
 * look at the previous file). Torn or unparseable lines are passed over, as verify does.
 */
export function chainTail(fs: Pick<AuditFs, 'readSync'>, fd: number, size: number): ChainTail {
  const CHUNK = 16 * 1024;
  let pos = size;
  let carry = Buffer.alloc(0);
  while (pos > 0 || carry.length > 0) {
    const start = Math.max(0, pos - CHUNK);
    const chunk = Buffer.alloc(pos - start);
    let got = 0;
    while (got < chunk.length) {
      const n = fs.readSync(fd, chunk, got, chunk.length - got, start + got);
      if (n <= 0) break;
      got += n;
    }
    const data = Buffer.concat([chunk.subarray(0, got), carry]);
    let lineEnd = data.length;
    if (pos === size && lineEnd > 0 && data[lineEnd - 1] === 0x0a) lineEnd--;
    for (;;) {
      const nl = lineEnd === 0 ? -1 : data.lastIndexOf(0x0a, lineEnd - 1);
      if (nl === -1 && start > 0) {
        carry = data.subarray(0, lineEnd);
        break;
      }
      const k = classifyLine(stripCr(data.toString('utf8', nl + 1, lineEnd)));
      if (k.kind === 'record') return { found: 'hash', hash: k.hash };
      if (k.kind === 'legacy' || k.kind === 'legacy-header') return { found: 'genesis' };
      if (k.kind === 'header') return { found: 'none' };
      if (nl === -1) return { found: 'none' };
      lineEnd = nl;
    }
    pos = start;
  }
  return { found: 'none' };
}
