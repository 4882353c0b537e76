import { expect } from 'vitest';
import type { RegimeHistory } from '../../src/regime/types.js';

/** Asserts that `part` (computed on the first `cut` days) equals the first `cut` days of `full`. */
export function expectPrefixEqual(full: RegimeHistory, part: RegimeHistory, cut: number): void {
  expect(part.dates.length).toBe(cut);
  const arr = (a: ArrayLike<unknown>) => Array.from(a as ArrayLike<unknown>).slice(0, cut);
  const cols = ['dates', 'regime', 'reason', 'state', 'modelRegime', 'allocation', 'excessReturn', 'dd', 's20', 's60', 'ddZ', 's20Z', 'vix', 'vixChange1d', 'vixChange3d', 'vixTrigger', 'fitIndex'] as const;
  for (const c of cols) expect(arr(part[c]), `column ${c}`).toEqual(arr(full[c]));
  expect(part.fits).toEqual(full.fits.filter((f) => f.index < cut));
}
