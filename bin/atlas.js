#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script). CommonJS
// (bin/package.json): Node 20 starts a CommonJS entry about 30 ms sooner than an ES module.
'use strict';
const { existsSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

// Node >= 22.1 keeps the compiled code of dist/ and node_modules on disk, so a command's start-up
// does not recompile a few hundred modules every run (a no-op on Node 20).
require('node:module').enableCompileCache?.();

// `npm run build` also bundles the CLI into dist/bundle/atlas.cjs (scripts/bundleCli.mjs), which
// the bundle loader compiles with a V8 code cache on every Node version, and the loader and the
// resident client into dist/bundle/launch.cjs. Used only when newer than the tsc output, so a
// plain `tsc` rebuild is never shadowed by a stale bundle; ATLAS_UNBUNDLED=1 forces the module tree.
const BUNDLE = join(__dirname, '../dist/bundle/atlas.cjs');
const LAUNCH = join(__dirname, '../dist/bundle/launch.cjs');
const MAIN = join(__dirname, '../dist/cli/main.js');
function bundleIsFresh() {
  if (process.env.ATLAS_UNBUNDLED === '1') return false;
  try {
    const main = statSync(MAIN).mtimeMs;
    return statSync(BUNDLE).mtimeMs >= main && statSync(LAUNCH).mtimeMs >= main;
  } catch {
    return false;
  }
}
const useBundle = bundleIsFresh();
const launch = () => (useBundle ? require(LAUNCH) : undefined);

// The build this process runs: a resident process (`atlas resident`) serves only clients of its
// own, and stops when the files it was loaded from change under it (a rebuild).
const RUNNING = useBundle ? BUNDLE : MAIN;
function buildOf() {
  try {
    const st = statSync(RUNNING);
    return `${process.version} ${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return process.version; // no dist/ yet: the import below says so
  }
}
const build = buildOf();
globalThis.__atlasBuild = build;
globalThis.__atlasBuildNow = buildOf;
// The environment before any .env file is read into it: what a resident compares clients against.
globalThis.__atlasEnvAtStart = { ...process.env };

const args = process.argv.slice(2);

// `atlas positions | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

async function run() {
  // A resident process serving this data directory runs backtest and scan with everything already
  // in memory (src/cli/resident). One stat when none was ever started, none for other commands.
  if (
    process.env.ATLAS_RESIDENT !== 'off' &&
    (args.includes('backtest') || args.includes('scan')) &&
    existsSync(join(tmpdir(), `atlas-resident-${process.getuid?.() ?? 'user'}`))
  ) {
    const { runInResident } = launch() ?? (await import('../dist/cli/resident/client.js'));
    const code = await runInResident(args, { build });
    if (code !== undefined) {
      process.exitCode = code;
      return;
    }
  }

  let main;
  let bundle;
  if (useBundle) {
    bundle = launch().loadBundle(BUNDLE, args);
    main = bundle.exports.main;
  } else {
    ({ main } = await import('../dist/cli/main.js'));
  }
  process.exitCode = await main(process.argv);
  // A run that failed may have taken a short path: only a successful one leaves code for the next.
  if (process.exitCode === 0) bundle?.saveCache();
}

run().catch((err) => {
  // As an uncaught error at the top of an ES module would: the stack, exit code 1.
  process.exitCode = 1;
  console.error(err);
});
