import { expect } from 'vitest';
import type { RegimeHistory } from '../../src/regime/types.js';
import { expectSameData } from '../support/sameData.js';

/** Asserts that `part` (computed on the first `cut` days) equals the first `cut` days of `full`. */
export function expectPrefixEqual(full: RegimeHistory, part: RegimeHistory, cut: number): void {
  expect(part.dates.length).toBe(cut);
  const arr = (a: ArrayLike<unknown>) => Array.from(a as ArrayLike<unknown>).slice(0, cut);
  const cols = ['dates', 'regime', 'reason', 'state', 'modelRegime', 'allocation', 'excessReturn', 'dd', 's20', 's60', 'ddZ', 's20Z', 'vix', 'vixChange1d', 'vixChange3d', 'vixTrigger', 'fitIndex'] as const;
  for (const c of cols) expectSameData(arr(part[c]), arr(full[c]), `column ${c}`);
  expectSameData(part.fits, full.fits.filter((f) => f.index < cut));
}
