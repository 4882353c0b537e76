import Table from 'cli-table3';

/** Writers the commands print through, so tests and --json stay in control of stdout. */
export interface Output {
  /** Result data: tables, JSON. */
  out(text: string): void;
  /** Notes, warnings and progress for a person: stderr. */
  note(text: string): void;
  isTTY: boolean;
}

export const processOutput: Output = {
  out: (text) => {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  },
  note: (text) => {
    process.stderr.write(text.endsWith('\n') ? text : text + '\n');
  },
  isTTY: Boolean(process.stderr.isTTY),
};

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
