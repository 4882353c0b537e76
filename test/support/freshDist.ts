/**
 * @module dist/ as built from the current sources, for the tests that run the built package or
 * binary (bin/atlas.js -> dist/): `npm run build` stamps dist/ with the hash of its inputs
 * (scripts/distStamp.mjs); when that differs from the sources now, or dist/ is missing, dist/ is
 * rebuilt the same way (tsc, then the CLI bundle). `npm test` calls it once before any test file
 * (globalSetup.ts).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildInputsHash, ROOT, stampedHash, writeStamp } from '../../scripts/distStamp.mjs';

/** True when dist/ was built from exactly the sources there are now. */
export function distIsFresh(): boolean {
  return stampedHash() === buildInputsHash();
}

/** Rebuilds dist/ (what `npm run build` does) unless it is fresh. */
export function ensureFreshDist(): void {
  const want = buildInputsHash();
  if (stampedHash() === want) return;
  const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  process.stdout.write('dist/ is missing or was built from other sources: building it (npm run build)\n');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundleCli.mjs')], { cwd: ROOT, stdio: 'inherit' });
  writeStamp(want);
}
