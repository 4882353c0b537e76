/**
 * @module globalSetup of `npm run chaos`: starts the counts file, and at the end prints the suite's
 * closing line (scenarios, kill points, trials, duplicates, over-allocations, lost lines, time).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closingLine, readCounts } from './summary.js';

export default function setup(): () => void {
  const file = join(tmpdir(), `atlas-chaos-summary-${process.pid}.json`);
  rmSync(file, { force: true });
  process.env.ATLAS_CHAOS_SUMMARY = file;
  const started = Date.now();
  return () => {
    process.stdout.write(`\n${closingLine(readCounts(file), (Date.now() - started) / 1000)}\n`);
    rmSync(file, { force: true });
  };
}
