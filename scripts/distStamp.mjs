/**
 * @module The stamp of a build: dist/.source-hash holds the hash of everything `npm run build`
 * reads (src/, the tsconfigs, package.json, scripts/bundleCli.mjs). `npm run build` writes it last;
 * `npm test` (test/support/freshDist.ts) rebuilds dist/ when it is missing or differs, so the
 * tests that run the real binary never run a stale dist/.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const STAMP = join(ROOT, 'dist', '.source-hash');

function filesOf(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((n) => filesOf(join(path, n)));
}

/** The hash of everything the build reads. */
export function buildInputsHash() {
  const h = createHash('sha256');
  const inputs = [...filesOf(join(ROOT, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/bundleCli.mjs'].map((f) => join(ROOT, f))];
  for (const f of inputs) h.update(f.slice(ROOT.length)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** The hash dist/ was built from, or undefined. */
export function stampedHash() {
  return existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : undefined;
}

export function writeStamp(hash = buildInputsHash()) {
  writeFileSync(STAMP, `${hash}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) writeStamp();
