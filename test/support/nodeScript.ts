/**
 * @module How a test runs one of its TypeScript worker scripts (test/**\/fixtures, *Worker.ts) in a
 * child process: bundled once with esbuild into plain JavaScript (npm packages stay imports), so
 * a child starts in about a tenth of a second instead of loading the TypeScript loader and
 * compiling its imports again, which cost about half a second of CPU per child. The bundle lives
 * in node_modules/.cache (so its package imports resolve) under a hash of src/ and the script.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { srcHash } from './sourceHash.js';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/atlas-test-scripts/', import.meta.url));

/** The arguments after `node` that run `script` (a .ts path): one bundled .mjs file. */
export function nodeScript(script: string): string[] {
  const key = createHash('sha256').update(srcHash()).update(readFileSync(script)).digest('hex').slice(0, 16);
  const out = join(CACHE, `${basename(script, '.ts')}-${key}.mjs`);
  if (!existsSync(out)) {
    mkdirSync(CACHE, { recursive: true });
    const part = `${out}.${process.pid}.tmp.mjs`;
    buildSync({ entryPoints: [script], outfile: part, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
    renameSync(part, out); // whole or absent: files starting together never run half a bundle
  }
  return [out];
}
