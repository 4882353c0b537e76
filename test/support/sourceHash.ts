/**
 * @module A hash of src/ (every file, by path and content), for caches of test fixtures built by
 * the code: any change to the code gives a new key, so a cache never outlives the code that built
 * it. Hashing all of src/ costs milliseconds; it is computed once per process.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
let memo: string | undefined;

function filesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((n) => filesOf(join(path, n)));
}

/** The first 16 hex digits of the sha256 of src/. */
export function srcHash(): string {
  if (memo === undefined) {
    const h = createHash('sha256');
    for (const f of filesOf(SRC)) h.update(f.slice(SRC.length)).update(readFileSync(f));
    memo = h.digest('hex').slice(0, 16);
  }
  return memo;
}
