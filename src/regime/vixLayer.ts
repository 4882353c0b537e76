/**
 * VIX crash layer. VIX is first aligned to the SPY session dates (the NYSE sessions): VIX rows on
 * dates that are not SPY dates are dropped; an SPY date without a VIX row gets the last aligned
 * VIX close (forward fill, counted and reported). SPY dates before the first VIX row stay NaN.
 */
export interface VixPoint {
  date: string;
  close: number;
}

export interface VixAlignment {
  vix: Float64Array;
  /** SPY dates filled with the previous session's VIX close. */
  filled: string[];
  /** VIX dates dropped because they are not SPY sessions (within the SPY date range). */
  dropped: string[];
  /** SPY dates left NaN (no VIX row on or before them). */
  missing: string[];
}

export function alignVix(spyDates: readonly string[], vixBars: readonly VixPoint[]): VixAlignment {
  const byDate = new Map<string, number>();
  for (const b of vixBars) if (Number.isFinite(b.close) && b.close > 0) byDate.set(b.date, b.close);
  const spySet = new Set(spyDates);
  const first = spyDates[0];
  const last = spyDates[spyDates.length - 1];
  const dropped: string[] = [];
  for (const b of vixBars) if (!spySet.has(b.date) && first !== undefined && b.date >= first && b.date <= last) dropped.push(b.date);
  dropped.sort();
  const vix = new Float64Array(spyDates.length);
  const filled: string[] = [];
  const missing: string[] = [];
  let lastClose = NaN;
  for (let i = 0; i < spyDates.length; i++) {
    const v = byDate.get(spyDates[i]);
    if (v !== undefined) {
      lastClose = v;
      vix[i] = v;
    } else if (Number.isFinite(lastClose)) {
      vix[i] = lastClose;
      filled.push(spyDates[i]);
    } else {
      vix[i] = NaN;
      missing.push(spyDates[i]);
    }
  }
  return { vix, filled, dropped, missing };
}

export interface VixSignals {
  change1d: Float64Array;
  change3d: Float64Array;
  trigger: boolean[];
}

/**
 * change1d_t = vix_t / vix_{t-1} - 1, change3d_t = vix_t / vix_{t-3} - 1 (sessions);
 * trigger_t = (change1d_t > jump1d or change3d_t > jump3d) and (floor === null or vix_t >= floor).
 * NaN anywhere -> NaN change -> no trigger.
 */
export function vixSignals(vix: ArrayLike<number>, jump1d: number, jump3d: number, floor: number | null): VixSignals {
  const n = vix.length;
  const change1d = new Float64Array(n).fill(NaN);
  const change3d = new Float64Array(n).fill(NaN);
  const trigger: boolean[] = new Array<boolean>(n).fill(false);
  for (let t = 0; t < n; t++) {
    if (t >= 1) change1d[t] = vix[t] / vix[t - 1] - 1;
    if (t >= 3) change3d[t] = vix[t] / vix[t - 3] - 1;
    const jump = change1d[t] > jump1d || change3d[t] > jump3d;
    const level = floor === null || vix[t] >= floor;
    trigger[t] = jump && level;
  }
  return { change1d, change3d, trigger };
}
