import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRealBars, realDataDir, REAL_DATA_SKIP_MESSAGE } from '../support/realData.js';
import { alignVix } from '../../src/regime/vixLayer.js';
import { computeRegimeHistory } from '../../src/regime/regimeHistory.js';
import { fitJumpModel } from '../../src/regime/jumpModel.js';
import { robustInits } from '../../src/regime/models/inits.js';
import { scaleWindow } from '../../src/regime/models/window.js';

/** Generated once by scripts/fixtures/jumpmodels_48.py with the reference `jumpmodels` (100 starts). */
const fixture = JSON.parse(readFileSync(new URL('../fixtures/regime/jumpmodels_48.json', import.meta.url), 'utf8')) as {
  windows: { fitDate: string; trainFrom: string; trainTo: string; trainDays: number; objective: number }[];
};

const dir = realDataDir();
if (!dir) console.info(`test/regime/fitFixture.test.ts: ${REAL_DATA_SKIP_MESSAGE}`);

describe.skipIf(!dir)('jump-model fits on the 48 seed windows vs jumpmodels with 100 starts', () => {
  it('decile and segment starts + 10 k-means++ starts reach the reference minimum in every window; 10 k-means++ alone do not', () => {
    const spy = loadRealBars('SPY');
    const dates = spy.map((b) => b.date);
    const h = computeRegimeHistory({ dates, spyClose: Float64Array.from(spy, (b) => b.adjClose), vixClose: alignVix(dates, loadRealBars('VIX')).vix });
    expect(h.fits.length).toBe(48);
    expect(fixture.windows.length).toBe(48);
    const seedAbove: string[] = [];
    const gaps: number[] = [];
    h.fits.forEach((fit, k) => {
      const ref = fixture.windows[k];
      expect([fit.trainFrom, fit.trainTo, fit.trainDays]).toEqual([ref.trainFrom, ref.trainTo, ref.trainDays]);
      const days = Int32Array.from({ length: fit.trainDays }, (_, j) => j);
      let n = 0;
      for (let t = fit.trainFromIndex; t <= fit.index; t++) days[n++] = t; // SPY has no undefined feature day after 1993-04-28
      expect(n).toBe(fit.trainDays);
      const X = new Float64Array(fit.trainDays * 3);
      scaleWindow([h.dd, h.s20, h.s60], days, 0, X);
      const p = h.params;
      const robust = fitJumpModel(X, fit.trainDays, 3, { K: 2, lambda: p.jumpPenalty, nStarts: 10, seed: p.seed, maxIter: p.maxIter, tol: p.tol, inits: robustInits(X, fit.trainDays, 3) });
      const tol = 1e-7 * Math.abs(ref.objective);
      gaps.push(robust.objective - ref.objective);
      expect(robust.objective, `${fit.date}`).toBeLessThanOrEqual(ref.objective + tol);
      if (fit.objective > ref.objective + tol) seedAbove.push(fit.date);
    });
    console.info(`48 windows: robust fit - jumpmodels objective: max ${Math.max(...gaps).toExponential(2)}, min ${Math.min(...gaps).toExponential(2)}; seed (10 k-means++ starts) above the reference on ${seedAbove.join(', ')}`);
    expect(seedAbove).toEqual(['2003-10-14', '2006-10-13', '2012-10-15', '2019-04-23']);
  });
});
