/**
 * @module dist/ as compiled from the current sources, for the tests that run the built package or
 * binary (bin/atlas.js -> dist/): dist/ carries the hash of the sources it was compiled from
 * (dist/.source-hash), and when that differs from the sources now, or dist/ is missing, it is
 * rebuilt. `npm test` calls it once before any test file (globalSetup.ts).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STAMP = join(ROOT, 'dist', '.source-hash');

function filesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((n) => filesOf(join(path, n)));
}

/** The hash of everything the build reads: src/, the tsconfigs and package.json. */
export function buildInputsHash(): string {
  const h = createHash('sha256');
  const inputs = [...filesOf(join(ROOT, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => join(ROOT, f))];
  for (const f of inputs) h.update(f.slice(ROOT.length)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** True when dist/ was compiled from exactly the sources there are now. */
export function distIsFresh(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === buildInputsHash();
}

/** Rebuilds dist/ (tsc -p tsconfig.build.json) unless it is fresh. */
export function ensureFreshDist(): void {
  const want = buildInputsHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === want) return;
  const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  process.stdout.write('dist/ is missing or was compiled from other sources: building it (tsc -p tsconfig.build.json)\n');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  writeFileSync(STAMP, `${want}\n`);
}
