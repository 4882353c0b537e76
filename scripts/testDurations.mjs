#!/usr/bin/env node
// Writes test/support/durations.json, the order `npm test` starts its files in (longest first;
// test/support/sequencer.ts), from a vitest JSON report:
//   npx vitest run --reporter=json --outputFile.json=/tmp/report.json && node scripts/testDurations.mjs /tmp/report.json
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const report = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const seconds = Object.fromEntries(
  report.testResults
    .map((t) => [relative(root, t.name), Math.round((t.endTime - t.startTime) / 100) / 10])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
);
writeFileSync(new URL('../test/support/durations.json', import.meta.url), JSON.stringify(seconds, null, 1) + '\n');
console.log(`test/support/durations.json: ${Object.keys(seconds).length} files`);
