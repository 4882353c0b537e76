/**
 * @module Loads the CLI bundle (dist/bundle/atlas.cjs, scripts/bundleCli.mjs) with a V8 code cache.
 *
 * A short command spends most of its start-up compiling: the bundle's top-level code, then every
 * function the command calls, each the first time it runs. Node >= 22.1 can keep compiled code on
 * disk (module.enableCompileCache), Node 20 cannot, and neither does it for code run through `vm`.
 * So the bundle is compiled here as one `vm.Script` whose cached data (bytecode of every function
 * the run compiled) is written after a successful run and handed back to V8 by the next run of the
 * same command. The cache is a pure speed-up: V8 rejects data made by another V8 or with other
 * flags, the key holds a hash of the bundle's text (V8 itself checks only its length) and of Node's
 * flags (so runs with other flags do not overwrite each other's cache), and any
 * failure to read or write it leaves the command running exactly as without it.
 *
 * Where: ATLAS_COMPILE_CACHE=DIR, or `off`; by default `atlas-compile-cache-<uid>` in the system
 * temp folder, like Node's own compile cache. The folder must belong to this user and be writable
 * by no one else (the cache is code), else it is not used.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { commandWord } from './commandWord.js';

export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** Whether V8 took the cached code (false: none yet, rejected, or the cache is off). */
  cacheUsed: boolean;
  /** Writes the code compiled so far for the next run, when there was no usable cache. Never throws. */
  saveCache(): void;
}

/** Cache files of other builds are removed once this old (several checkouts may share the folder). */
const STALE_MS = 7 * 24 * 3600 * 1000;

/** The cache folder, or undefined when caching is off or the folder is not safe to run code from. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env.ATLAS_COMPILE_CACHE;
  if (setting === 'off') return undefined;
  const uid = process.getuid?.();
  const dir = setting || join(tmpdir(), `atlas-compile-cache-${uid ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return undefined;
    if (uid !== undefined && st.uid !== uid) return undefined;
    if ((st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** The cache key's command part: the command word when it looks like one, else a fixed name. */
export function cacheKeyOf(args: readonly string[]): string {
  const { word, versionOnly } = commandWord(args);
  if (versionOnly) return 'version';
  return word !== undefined && /^[a-z][a-z-]{0,23}$/.test(word) ? word : 'other';
}

export function loadBundle(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadedBundle {
  const bytes = readFileSync(file);
  // The build writes the bundle in ASCII (scripts/bundleCli.mjs): one-byte text, no UTF-8 decoding.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const dir = compileCacheDir(env);
  // Not a security boundary (whoever can write the bundle can run code anyway): it tells builds
  // apart, and runs with other V8 flags (whose code V8 would reject) from each other.
  const build = createHash('sha1').update(bytes).update(`\0${process.execArgv.join(' ')}\0${env.NODE_OPTIONS ?? ''}`).digest('hex').slice(0, 16);
  const cacheFile = dir && join(dir, `${build}-${process.version}-${process.arch}-${cacheKeyOf(args)}.bin`);
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined; // no cache yet
    }
  }
  // The CommonJS wrapper on the source's first line, so stack traces keep the bundle's line numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    // No importModuleDynamically: a script restored from cached data loses it (nodejs/node#43663),
    // so the bundle has no import() at all (scripts/bundleCli.mjs) and one would fail on every run.
  });
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as Record<string, unknown> };
  (script.runInThisContext() as (...a: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cacheUsed,
    saveCache() {
      if (!cacheFile || !dir || cacheUsed) return;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
        removeStale(dir, build);
      } catch {
        // A full or read-only disk: the next run compiles again, as without a cache.
        rmSync(tmp, { force: true });
      }
    },
  };
}

/**
 * Cache files of other builds not written for a week (this build's are kept, whatever their age),
 * and temp files a run killed while writing left behind.
 */
function removeStale(dir: string, build: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const stale = /^[0-9a-f]{16}-.*\.(bin|\d+\.tmp)$/.test(name) && !(name.startsWith(build) && name.endsWith('.bin'));
    if (!stale) continue;
    const file = join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_MS) rmSync(file, { force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}
