import Table from 'cli-table3';
import { redact } from '../core/redact.js';

/**
 * Writers the commands print through, so tests and --json stay in control of stdout. Everything
 * printed passes through `redact()` (core/redact.ts): `main` wraps whatever Output it is given
 * in `redactingOutput`, and `processOutput` scrubs on its own for any other caller.
 */
export interface Output {
  /** Result data: tables, JSON. */
  out(text: string): void;
  /** Notes, warnings and progress for a person: stderr. */
  note(text: string): void;
  isTTY: boolean;
}

/** Outputs known to scrub already, so wrapping twice costs nothing. */
const scrubbed = new WeakSet<Output>();

/** The process's stdout (results) and stderr (notes), scrubbed. */
export const processOutput: Output = {
  out: (text) => {
    const safe = redact(text);
    process.stdout.write(safe.endsWith('\n') ? safe : safe + '\n');
  },
  note: (text) => {
    const safe = redact(text);
    process.stderr.write(safe.endsWith('\n') ? safe : safe + '\n');
  },
  isTTY: Boolean(process.stderr.isTTY),
};
scrubbed.add(processOutput);

/** `io` with every text scrubbed by `redact()` before it reaches it (no-op when it already is). */
export function redactingOutput(io: Output): Output {
  if (scrubbed.has(io)) return io;
  const safe: Output = {
    out: (text) => io.out(redact(text)),
    note: (text) => io.note(redact(text)),
    get isTTY() {
      return io.isTTY;
    },
  };
  scrubbed.add(safe);
  return safe;
}

export function table(head: string[], rows: (string | number | null | undefined)[][], options: { align?: ('left' | 'right')[] } = {}): string {
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: options.align ?? head.map((_, i) => (i === 0 ? 'left' : 'right')),
  });
  for (const r of rows) t.push(r.map((c) => (c === null || c === undefined ? '' : String(c))));
  return t.toString();
}

export function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

export const fmt = {
  pct: (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(digits)}%`),
  num: (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits)),
  int: (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : Math.round(x).toLocaleString('en-US')),
  money: (x: number | null | undefined) =>
    x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toLocaleString('en-US', { style: 'currency', currency: 'USD' }),
};
