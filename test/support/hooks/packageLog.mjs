// A module-resolution hook that prints each npm package a process loads (test/cli/startupImports.test.ts).
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(r.url);
  if (m) process.stderr.write(`PKG ${m[1]}\n`);
  return r;
}
