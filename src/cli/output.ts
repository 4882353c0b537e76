import { redact } from '../core/redact.js';

/** Tables and number formats live in core/format.ts (the execution reports use them too). */
export { fmt, table } from '../core/format.js';

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

/**
 * Pretty JSON; NaN and Infinity print as null. JSON.stringify already writes a non-finite number
 * as null, so no replacer: one would be called for every value (a compare backtest's JSON has
 * about a hundred thousand) and keeps V8 off its fast path.
 */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
