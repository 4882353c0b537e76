// A module-resolution hook that prints each npm package (PKG name) and each project module
// (MOD file URL) a process loads (test/cli/startupImports.test.ts).
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(r.url);
  if (m) process.stderr.write(`PKG ${m[1]}\n`);
  else if (r.url.startsWith('file:')) process.stderr.write(`MOD ${r.url}\n`);
  return r;
}
