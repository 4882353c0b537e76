/**
 * @module The one formatter for human output: money to cents, prices to cents, shares to their
 * precision, percentages, and the one table style (cli-table3, the same options everywhere).
 * Every table and number a person reads on the terminal goes through here, so `atlas log`, the
 * rebalance report and `atlas positions` print 114.86, never 114.85739999999998. JSON output
 * keeps full precision: it is for programs.
 */
import Table from 'cli-table3';

type Num = number | null | undefined;

const missing = (x: Num): x is null | undefined => x === null || x === undefined || !Number.isFinite(x);

/** Fractional shares are kept to a millionth (the paper broker's partial fills round there). */
export const SHARE_DECIMALS = 6;

export const fmt = {
  /** 0.1234 -> "12.34%". */
  pct: (x: Num, digits = 2): string => (missing(x) ? '-' : `${(x * 100).toFixed(digits)}%`),
  /** A plain number with fixed decimals. */
  num: (x: Num, digits = 2): string => (missing(x) ? '-' : x.toFixed(digits)),
  /** A whole number with thousands separators. */
  int: (x: Num): string => (missing(x) ? '-' : Math.round(x).toLocaleString('en-US')),
  /** An amount of money: "$1,234.57". */
  money: (x: Num): string => (missing(x) ? '-' : x.toLocaleString('en-US', { style: 'currency', currency: 'USD' })),
  /** A price per share, to the cent: "114.86". */
  price: (x: Num): string => (missing(x) ? '-' : x.toFixed(2)),
  /** A share count: whole shares as integers, fractional ones to a millionth without trailing zeros. */
  shares: (x: Num): string => {
    if (missing(x)) return '-';
    const r = Math.round(x * 10 ** SHARE_DECIMALS) / 10 ** SHARE_DECIMALS;
    return Number.isInteger(r) ? String(r) : r.toFixed(SHARE_DECIMALS).replace(/0+$/, '');
  },
};

export type Cell = string | number | null | undefined;

/**
 * The one table style: cli-table3, boxed, compact (no rules between rows). Columns are
 * right-aligned (numbers) except the first, unless `align` or `left` (column indexes) says.
 * Numbers in cells are printed as given: format them with `fmt` first.
 */
export function table(head: string[], rows: Cell[][], options: { align?: ('left' | 'right')[]; left?: readonly number[] } = {}): string {
  const left = options.left ?? [0];
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: options.align ?? head.map((_, i) => (left.includes(i) ? 'left' : 'right')),
  });
  for (const r of rows) t.push(r.map((c) => (c === null || c === undefined ? '' : String(c))));
  return t.toString();
}
