#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script).
import module from 'node:module';
import { statSync } from 'node:fs';

// Node >= 22.1 keeps the compiled code of dist/ and node_modules on disk, so a command's start-up
// does not recompile a few hundred modules every run (a no-op on Node 20).
module.enableCompileCache?.();

// `npm run build` also bundles the CLI into dist/bundle (scripts/bundleCli.mjs): one chunk per
// command instead of a few hundred modules. Used only when newer than the tsc output, so a plain
// `tsc` rebuild is never shadowed by a stale bundle; ATLAS_UNBUNDLED=1 forces the module tree.
function bundleIsFresh() {
  if (process.env.ATLAS_UNBUNDLED === '1') return false;
  try {
    return statSync(new URL('../dist/bundle/main.js', import.meta.url)).mtimeMs >= statSync(new URL('../dist/cli/main.js', import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}
const { main } = await import(bundleIsFresh() ? '../dist/bundle/main.js' : '../dist/cli/main.js');

// `atlas positions | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv);
