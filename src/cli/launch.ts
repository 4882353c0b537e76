/**
 * @module What bin/atlas.js needs before the CLI itself, bundled by `npm run build` into one small
 * CommonJS file (dist/bundle/launch.cjs) that the launcher `require`s: a CommonJS entry starts
 * about 30 ms sooner than an ES module on Node 20 (no ES module loader to set up), and this code
 * runs on every command.
 */
export { loadBundle } from './bundleLoader.js';
export { runInResident } from './resident/client.js';
