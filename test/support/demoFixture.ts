/**
 * The demo store as `atlas data demo` writes it, built once and copied for each test file that
 * needs one: building it takes seconds of CPU, copying it milliseconds. The cache lives in the
 * system temp folder under a hash of the source tree, so any change to the code builds a new one;
 * a build goes to a temporary folder and is renamed into place, so test files building at the
 * same time never see half a store.
 *
 * `npm test` starts the build in the background before the first file runs (globalSetup.ts:
 * startDemoFixtureBuild, the real binary in a child process), so the files that need no demo
 * store run meanwhile; a file that needs it waits for that build instead of starting another.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATLAS_BIN, binaryEnv } from './cli.js';
import { atlasInProcess } from './cliInProcess.js';
import { srcHash } from './sourceHash.js';

function cacheDir(): string {
  return join(tmpdir(), `atlas-demo-fixture-${srcHash()}`);
}

/** Present while a background build runs: the pid of the process that owns it. */
const buildingMark = (dir: string) => `${dir}.building`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A background build's owner still running: wait for its store (at most two minutes). */
async function awaitBackgroundBuild(dir: string): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (existsSync(join(dir, 'data-demo.json'))) return true;
    let pid = NaN;
    try {
      pid = Number(readFileSync(buildingMark(dir), 'utf8'));
    } catch {
      return existsSync(join(dir, 'data-demo.json')); // no build running (any more)
    }
    if (!alive(pid)) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Moves a finished build into place (or drops it when another finished first). */
function publish(build: string, dir: string): void {
  try {
    renameSync(build, dir);
  } catch {
    rmSync(build, { recursive: true, force: true });
  }
}

/**
 * Starts `atlas data demo --json` (the built binary: globalSetup has just made dist/ fresh) into
 * the cache in a child process and returns at once; does nothing when the cache is built.
 */
export function startDemoFixtureBuild(): () => void {
  const dir = cacheDir();
  if (existsSync(join(dir, 'data-demo.json'))) return () => {};
  const build = mkdtempSync(`${dir}-build-`);
  writeFileSync(buildingMark(dir), String(process.pid));
  const child = spawn(process.execPath, [ATLAS_BIN, '--data-dir', join(build, 'store'), 'data', 'demo', '--json'], { env: binaryEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = (ok: boolean) => {
    if (ok) {
      writeFileSync(join(build, 'data-demo.json'), stdout); // written last: marks a complete build
      publish(build, dir);
    } else {
      // Stopped because the run ended first (a filtered run) is not a failure worth a line.
      if (!stopped) process.stderr.write(`demo fixture: atlas data demo failed in the background (${stderr.trim()}); test files build it themselves\n`);
      rmSync(build, { recursive: true, force: true });
    }
    rmSync(buildingMark(dir), { force: true });
  };
  child.on('error', () => done(false));
  child.on('close', (code) => done(code === 0));
  // The run ends before the build (a filtered run): stop it, its half store is dropped.
  return () => {
    if (child.exitCode === null) {
      stopped = true;
      child.kill();
    }
  };
}

/** The cached demo store (built on first use): a folder holding `store/` and `data-demo.json`, the command's JSON output. */
export async function demoFixture(): Promise<{ store: string; json: string }> {
  const dir = cacheDir();
  if (!existsSync(join(dir, 'data-demo.json')) && !(await awaitBackgroundBuild(dir))) {
    const build = mkdtempSync(`${dir}-build-`);
    try {
      const r = await atlasInProcess(['--data-dir', join(build, 'store'), 'data', 'demo', '--json']);
      if (r.code !== 0) throw new Error(`atlas data demo failed: ${r.stderr}`);
      writeFileSync(join(build, 'data-demo.json'), r.stdout); // written last: marks a complete build
    } catch (err) {
      rmSync(build, { recursive: true, force: true });
      throw err;
    }
    publish(build, dir);
  }
  return { store: join(dir, 'store'), json: readFileSync(join(dir, 'data-demo.json'), 'utf8') };
}

/** A private copy of the demo store at `target` (a data directory), for a test that writes to it. */
export async function copyDemoStore(target: string): Promise<string> {
  const { store } = await demoFixture();
  cpSync(store, target, { recursive: true });
  return target;
}
