/**
 * @module globalSetup of `npm test`: runs once, before any test file. It makes sure the tests that
 * spawn the real binary (bin/atlas.js -> dist/) never run a stale dist/: dist/ carries the hash of
 * the sources it was compiled from, and when that differs from src/ now (or dist/ is missing) it is
 * rebuilt here, once. It also builds the cached demo store (test/support/demoFixture.ts) once, so
 * that test files starting together do not each build it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoFixture } from './demoFixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STAMP = join(ROOT, 'dist', '.source-hash');

function filesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((n) => filesOf(join(path, n)));
}

/** The hash of everything the build reads: src/, the tsconfigs and package.json. */
export function sourceHash(): string {
  const h = createHash('sha256');
  const inputs = [...filesOf(join(ROOT, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => join(ROOT, f))];
  for (const f of inputs) h.update(f.slice(ROOT.length)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** Rebuilds dist/ unless it was compiled from exactly the sources there are now. */
export function ensureFreshDist(): void {
  const want = sourceHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === want) return;
  const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  process.stdout.write('globalSetup: dist/ is missing or older than src/: building it (tsc -p tsconfig.build.json)\n');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  writeFileSync(STAMP, `${want}\n`);
}

export default async function setup(): Promise<void> {
  ensureFreshDist();
  await demoFixture();
}
