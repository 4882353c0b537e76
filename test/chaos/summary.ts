/**
 * @module The chaos suite's counts: each test adds its numbers to a JSON file named by
 * ATLAS_CHAOS_SUMMARY (set by globalSetup.ts, which prints the closing line at the end; vitest runs
 * each test file in its own process). Without the variable (the samples in `npm test`) nothing is
 * counted.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface ChaosCounts {
  scenarios: number;
  killPointsPaper: number;
  killPointsAlpaca: number;
  trials: number;
  duplicates: number;
  overAllocations: number;
  lostLines: number;
}

export const ZERO: ChaosCounts = { scenarios: 0, killPointsPaper: 0, killPointsAlpaca: 0, trials: 0, duplicates: 0, overAllocations: 0, lostLines: 0 };

export function readCounts(file: string): ChaosCounts {
  if (!existsSync(file)) return { ...ZERO };
  return { ...ZERO, ...(JSON.parse(readFileSync(file, 'utf8')) as Partial<ChaosCounts>) };
}

export function addCounts(c: Partial<ChaosCounts>): void {
  const file = process.env.ATLAS_CHAOS_SUMMARY;
  if (!file) return;
  const cur = readCounts(file);
  for (const [k, v] of Object.entries(c) as [keyof ChaosCounts, number][]) cur[k] += v;
  writeFileSync(file, JSON.stringify(cur));
}

export function closingLine(c: ChaosCounts, seconds: number): string {
  return `chaos: ${c.scenarios} scenarios, kill points ${c.killPointsPaper} paper + ${c.killPointsAlpaca} alpaca, ${c.trials} trials, ${c.duplicates} duplicate orders, ${c.overAllocations} over-allocations, ${c.lostLines} lost audit lines, ${seconds.toFixed(0)} s`;
}
