/**
 * The demo store as `atlas data demo` writes it, built once and copied for each test file that
 * needs one: building it takes seconds of CPU, copying it milliseconds. The cache lives in the
 * system temp folder under a hash of the source tree, so any change to the code builds a new one; a build goes to a temporary folder and
 * is renamed into place, so test files building at the same time never see half a store.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atlasInProcess } from './cliInProcess.js';
import { srcHash } from './sourceHash.js';

function cacheDir(): string {
  return join(tmpdir(), `atlas-demo-fixture-${srcHash()}`);
}

/** The cached demo store (built on first use): a folder holding `store/` and `data-demo.json`, the command's JSON output. */
export async function demoFixture(): Promise<{ store: string; json: string }> {
  const dir = cacheDir();
  if (!existsSync(join(dir, 'data-demo.json'))) {
    const build = mkdtempSync(`${dir}-build-`);
    try {
      const r = await atlasInProcess(['--data-dir', join(build, 'store'), 'data', 'demo', '--json']);
      if (r.code !== 0) throw new Error(`atlas data demo failed: ${r.stderr}`);
      // Written last: its presence marks a complete build.
      writeFileSync(join(build, 'data-demo.json'), r.stdout);
    } catch (err) {
      rmSync(build, { recursive: true, force: true });
      throw err;
    }
    try {
      renameSync(build, dir);
    } catch {
      rmSync(build, { recursive: true, force: true }); // another test file finished first: use its build
    }
  }
  return { store: join(dir, 'store'), json: readFileSync(join(dir, 'data-demo.json'), 'utf8') };
}

/** A private copy of the demo store at `target` (a data directory), for a test that writes to it. */
export async function copyDemoStore(target: string): Promise<string> {
  const { store } = await demoFixture();
  cpSync(store, target, { recursive: true });
  return target;
}
