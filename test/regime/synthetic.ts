import { mulberry32 } from '../../src/regime/jumpModel.js';
import { fromDayNumber, toDayNumber } from '../../src/core/dates.js';

/**
 * Seeded synthetic market: a calm random walk (drift 0.04%/day, vol 0.8%) with a crash segment
 * (drift -2%/day, vol 4%) of crashLength sessions starting at crashStart, then recovery. VIX follows
 * a level proportional to trailing realised volatility, so it jumps in the crash.
 */
export interface Synthetic {
  dates: string[];
  spyClose: Float64Array;
  vixClose: Float64Array;
  crashStart: number;
  crashEnd: number;
}

export function syntheticMarket(n = 2000, seed = 7, crashStart = 1700, crashLength = 25): Synthetic {
  const rand = mulberry32(seed);
  const gauss = () => {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const dates: string[] = [];
  let day = toDayNumber('2000-01-03');
  while (dates.length < n) {
    const wd = (day + 4) % 7;
    if (wd !== 0 && wd !== 6) dates.push(fromDayNumber(day));
    day++;
  }
  const spyClose = new Float64Array(n);
  const vixClose = new Float64Array(n);
  let p = 100;
  let var20 = 0.008 ** 2;
  for (let t = 0; t < n; t++) {
    const inCrash = t >= crashStart && t < crashStart + crashLength;
    const r = inCrash ? -0.02 + 0.04 * gauss() : 0.0004 + 0.008 * gauss();
    if (t > 0) p *= 1 + r;
    spyClose[t] = p;
    var20 = 0.9 * var20 + 0.1 * r * r;
    vixClose[t] = 100 * Math.sqrt(var20 * 252) * (1 + 0.05 * gauss());
  }
  return { dates, spyClose, vixClose, crashStart, crashEnd: crashStart + crashLength - 1 };
}
