/**
 * @module The daily account snapshot: what an account held after a session's close, valued at
 * that close, next to what the strategy wanted (targets, the regime's allocation) and SPY. A pure
 * function of its inputs; the daemon writes one per account and session.
 */
export type SnapshotSource = 'live' | 'history' | 'missing';

export interface SnapshotPosition {
  symbol: string;
  qty: number;
  price: number;
  value: number;
  /** value / equity */
  weight: number;
  /** The strategy's target weight (0 for a holding it no longer wants). */
  target: number;
  /** weight - target */
  drift: number;
}

export interface AccountSnapshot {
  account: string;
  broker: string;
  /** The NYSE session whose close it values. */
  session: string;
  takenAt: string;
  source: SnapshotSource;
  strategyHash: string | null;
  equity: number;
  cash: number;
  positions: SnapshotPosition[];
  /** Gross stock exposure as a fraction of equity. */
  exposure: number;
  regime: string | null;
  /** The regime's stock allocation. */
  allocation: number | null;
  /** exposure - allocation */
  exposureDrift: number | null;
  spyClose: number | null;
  note?: string;
}

export interface SnapshotInput {
  account: string;
  broker: string;
  session: string;
  takenAt: Date;
  source: Exclude<SnapshotSource, 'missing'>;
  strategyHash: string | null;
  cash: number;
  holdings: readonly { symbol: string; qty: number }[];
  /** The session's raw close per symbol (the broker's price when the store lacks one). */
  prices: ReadonlyMap<string, number>;
  targets: Readonly<Record<string, number>>;
  regime: string | null;
  allocation: number | null;
  spyClose: number | null;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function buildSnapshot(input: SnapshotInput): AccountSnapshot {
  const rows = input.holdings.filter((h) => h.qty !== 0);
  const valued = rows.map((h) => {
    const price = input.prices.get(h.symbol);
    if (price === undefined || !(price > 0)) throw new Error(`no price for ${h.symbol} on ${input.session}`);
    return { symbol: h.symbol, qty: h.qty, price, value: h.qty * price };
  });
  const equity = input.cash + valued.reduce((a, p) => a + p.value, 0);
  const symbols = new Set([...valued.map((v) => v.symbol), ...Object.keys(input.targets)]);
  const positions: SnapshotPosition[] = [...symbols].sort().map((symbol) => {
    const v = valued.find((x) => x.symbol === symbol);
    const weight = v && equity > 0 ? v.value / equity : 0;
    const target = input.targets[symbol] ?? 0;
    return { symbol, qty: v?.qty ?? 0, price: v?.price ?? input.prices.get(symbol) ?? 0, value: round(v?.value ?? 0, 2), weight: round(weight, 6), target: round(target, 6), drift: round(weight - target, 6) };
  });
  const exposure = equity > 0 ? valued.reduce((a, p) => a + Math.abs(p.value), 0) / equity : 0;
  return {
    account: input.account,
    broker: input.broker,
    session: input.session,
    takenAt: input.takenAt.toISOString(),
    source: input.source,
    strategyHash: input.strategyHash,
    equity: round(equity, 2),
    cash: round(input.cash, 2),
    positions,
    exposure: round(exposure, 6),
    regime: input.regime,
    allocation: input.allocation,
    exposureDrift: input.allocation === null ? null : round(exposure - input.allocation, 6),
    spyClose: input.spyClose,
  };
}

/** A placeholder for a session whose snapshot could not be taken or rebuilt (said, never invented). */
export function missingSnapshot(account: string, broker: string, session: string, takenAt: Date, note: string): AccountSnapshot {
  return { account, broker, session, takenAt: takenAt.toISOString(), source: 'missing', strategyHash: null, equity: Number.NaN, cash: Number.NaN, positions: [], exposure: Number.NaN, regime: null, allocation: null, exposureDrift: null, spyClose: null, note };
}
