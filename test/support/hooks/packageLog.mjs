// A module-resolution hook that prints each npm package (PKG name) and each project module
// (MOD file URL) a process loads (test/cli/startupImports.test.ts). It runs on the loader's own
// thread, whose process.stderr is flushed asynchronously: a command as quick as `--version` could
// exit before the lines got out (seen on Node 24), so they are written to fd 2 synchronously.
import { writeSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(r.url);
  if (m) writeSync(2, `PKG ${m[1]}\n`);
  else if (r.url.startsWith('file:')) writeSync(2, `MOD ${r.url}\n`);
  return r;
}
