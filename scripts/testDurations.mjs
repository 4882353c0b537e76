#!/usr/bin/env node
// Writes test/support/durations.json, the order `npm test` starts its files in (longest first;
// test/support/sequencer.ts), from a vitest JSON report:
//   npx vitest run --reporter=json --outputFile.json=/tmp/report.json && node scripts/testDurations.mjs /tmp/report.json
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const report = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));

/**
 * The file's path from the repository root (the sequencer's key), also for a report written in
 * another clone (CI's): the part from a `test/` folder on that names a file of this checkout.
 */
function key(file) {
  const rel = relative(root, file);
  if (!rel.startsWith('..')) return rel;
  for (let i = file.indexOf('/test/'); i >= 0; i = file.indexOf('/test/', i + 1)) {
    if (existsSync(join(root, file.slice(i + 1)))) return file.slice(i + 1);
  }
  throw new Error(`${file} is not a test file of this checkout`);
}

const seconds = Object.fromEntries(
  report.testResults
    .map((t) => [key(t.name), Math.round((t.endTime - t.startTime) / 100) / 10])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
);
writeFileSync(new URL('../test/support/durations.json', import.meta.url), JSON.stringify(seconds, null, 1) + '\n');
console.log(`test/support/durations.json: ${Object.keys(seconds).length} files`);
