#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script).
import module from 'node:module';

// Node >= 22.1 keeps the compiled code of dist/ and node_modules on disk, so a command's start-up
// does not recompile a few hundred modules every run (a no-op on Node 20).
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

// `atlas positions | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv);
