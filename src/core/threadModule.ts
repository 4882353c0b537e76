/**
 * @module What a worker thread imports to run a module that sits next to its caller. Built, that
 * is the .js file beside it. From source (the TypeScript tests), a thread would have to register
 * the TypeScript loader and compile its whole import graph again, about half a second per thread:
 * the test run, which rebuilds dist/ from these very sources before any file runs
 * (test/support/globalSetup.ts), sets ATLAS_THREADS_FROM_DIST=1 and threads load the built twin.
 */

/** A module specifier for `new Worker(code, { eval: true })`'s code: `import(...)` of it starts the thread's work. */
export function threadImport(callerUrl: string, name: string): string {
  const fromSource = callerUrl.endsWith('.ts');
  if (!fromSource) return `import(${JSON.stringify(new URL(`./${name}.js`, callerUrl).href)})`;
  if (process.env.ATLAS_THREADS_FROM_DIST === '1') {
    const built = new URL(`./${name}.js`, callerUrl).href.replace(/\/src\/(?!.*\/src\/)/, '/dist/');
    return `import(${JSON.stringify(built)})`;
  }
  const source = new URL(`./${name}.ts`, callerUrl).href;
  return `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(source)}); })`;
}
