/**
 * @module Calendar-period returns of an equity curve (each month and year compounded from the last
 * close of the period before; the first period from the first close) and the excess of one curve
 * over another. Pure numbers for the report's annual table and monthly heat map.
 */
export interface PeriodReturn {
  /** 'YYYY' or 'YYYY-MM'. */
  period: string;
  value: number;
}

export function periodReturns(dates: readonly string[], equity: ArrayLike<number>, length: 4 | 7): PeriodReturn[] {
  const out: PeriodReturn[] = [];
  let base = Number.NaN;
  let current = '';
  let last = Number.NaN;
  for (let i = 0; i < dates.length; i++) {
    const key = dates[i].slice(0, length);
    const v = equity[i];
    if (i === 0) {
      base = v;
      current = key;
    } else if (key !== current) {
      out.push({ period: current, value: last / base - 1 });
      base = last;
      current = key;
    }
    if (Number.isFinite(v)) last = v;
  }
  if (dates.length > 0) out.push({ period: current, value: last / base - 1 });
  return out;
}

/** a - b per period present in both. */
export function excessReturns(a: readonly PeriodReturn[], b: readonly PeriodReturn[]): Map<string, number> {
  const other = new Map(b.map((p) => [p.period, p.value]));
  const out = new Map<string, number>();
  for (const p of a) {
    const o = other.get(p.period);
    if (o !== undefined) out.set(p.period, p.value - o);
  }
  return out;
}
