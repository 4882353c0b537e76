/**
 * @module A vite plugin for `npm test`: imports of src/ from the tests load the compiled twin in
 * dist/ natively instead of being transformed and evaluated by vitest's module runner. globalSetup
 * has made dist/ fresh from these very sources before any file runs (freshDist.ts checks the
 * stamped hash), so the code under test is the same, and it is what `npm install` ships. Each
 * worker imported all of src/ through the runner (about 4.4 s for 309 modules, plus their
 * transforms in the main process) where Node loads dist/ in about 1.1 s.
 *
 * Watch mode keeps testing src/: dist/ is made fresh once per run, so after an edit it would be
 * stale. ATLAS_TEST_SOURCES=1 does the same for a `vitest run` (stack traces then name .ts lines).
 */
import { resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

export function srcToDist(root: string): Plugin | null {
  const watching = !process.argv.some((a) => a === 'run' || a === '--run');
  if (watching || process.env.ATLAS_TEST_SOURCES === '1') return null;
  const src = resolve(root, 'src') + sep;
  const dist = resolve(root, 'dist') + sep;
  return {
    name: 'atlas-src-to-dist',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || importer.startsWith(dist)) return null;
      const hit = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!hit || !hit.id.startsWith(src)) return null;
      return { id: dist + hit.id.slice(src.length).replace(/\.tsx?$/, '.js'), external: true };
    },
  };
}

/** vitest leaves a module to Node only when its id matches test.server.deps.external. */
export const DIST_EXTERNAL = /[\\/]dist[\\/]/;
