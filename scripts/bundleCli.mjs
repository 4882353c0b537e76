/**
 * @module Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/atlas.cjs with esbuild, run
 * by `npm run build` after tsc. Resolving, reading and compiling a few hundred small ES modules
 * (zod alone is ~95) was about a third of a short command's run. The bundle is one CommonJS script
 * so that bin/atlas.js can compile it through `vm.Script` with a V8 code cache
 * (src/cli/bundleLoader.ts), which Node 20 offers for nothing else; each command's modules still
 * initialise only when that command runs (esbuild keeps a dynamic import's module lazy).
 * bin/atlas.js uses the bundle only when it is newer than dist/cli/main.js, so a plain `tsc` build
 * is never shadowed by a stale bundle (docs/architecture.md "Start-up").
 *
 * Only pure-JS packages every command needs are bundled; native (better-sqlite3), worker-spawning
 * (pino) and the heavy optional packages stay in node_modules and load as before.
 */
import { build } from 'esbuild';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(root, 'dist');
const outdir = resolve(dist, 'bundle');
const BUNDLED = new Set(['zod', 'commander', 'luxon', 'jsonc-parser', 'cli-table3', 'cli-progress']);

const pkg = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d));

/**
 * A module's `import.meta.url` keeps meaning its own file in dist/ (the sweep worker's URL, the
 * regime code hash over dist/regime, createRequire bases): it becomes that file's URL computed from
 * the bundle's, which sits one folder below dist/.
 */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + '/') || args.path.startsWith(outdir + '/')) return undefined;
      const contents = await readFile(args.path, 'utf8');
      if (!contents.includes('import.meta.url')) return undefined;
      const rel = relative(outdir, args.path).split('\\').join('/');
      return { contents: contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, __atlasBundleUrl).href`), loader: 'js' };
    });
  },
};

/**
 * zod's entry re-exports its 60-odd message locales (`z.locales`, half of the zod chunk, parsed
 * and run by every command); Atlas uses zod's default English messages only, so the bundle's
 * locale index holds `en` alone. A command that someday wants `z.locales.xx` must drop this.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: [resolve(dist, 'cli/main.js')],
  outfile: resolve(outdir, 'atlas.cjs'),
  bundle: true,
  format: 'cjs',
  // import() of a package becomes require(): a script restored from a V8 code cache loses the host
  // options that route import() to Node's loader (nodejs/node#43663), so the second run of a command
  // would fail where it loads nodemailer, yahoo-finance2 or ws.
  supported: { 'dynamic-import': false },
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  external,
  plugins: [ownUrl, zodEnglishOnly],
  // The base of the rewritten import.meta.url (ownUrl above).
  banner: { js: "const __atlasBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root, // metafile paths are relative to it
});

// The launcher's part (src/cli/launch.ts: the bundle loader and the resident client), as CommonJS
// for bin/atlas.js to require: Node built-ins only.
const launch = await build({
  entryPoints: [resolve(dist, 'cli/launch.js')],
  outfile: resolve(outdir, 'launch.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
});

// esbuild writes strings, templates and regular expressions in ASCII but keeps comments as they
// are, and a few comments hold non-ASCII text. Escaped there too (an escape means the same character
// wherever else one might be), the script is pure ASCII: the loader reads it as one-byte text,
// without decoding UTF-8 (about 5 ms of every command's start).
const bundleFile = resolve(outdir, 'atlas.cjs');
const text = await readFile(bundleFile, 'utf8');
const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (ascii !== text) await writeFile(bundleFile, ascii);

// Anything else in dist/bundle is from earlier builds (the ES-module chunks of builds before the
// single script: 360 of them had piled up in a working copy, all shipped by `npm pack`).
const written = new Set([...Object.keys(result.metafile.outputs), ...Object.keys(launch.metafile.outputs)].map((f) => resolve(root, f)));
for (const name of await readdir(outdir)) {
  const file = resolve(outdir, name);
  if (!written.has(file)) await rm(file, { force: true });
}
