/**
 * The CLI bundle's code cache (src/cli/bundleLoader.ts): written after a successful run, taken by
 * the next run of the same command, ignored when V8 rejects it, when the bundle changed or when the
 * folder is not private, and never in the way of the command itself.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { cacheKeyOf, compileCacheDir } from '../../src/cli/bundleLoader.js';
import { runAtlas } from '../support/cli.js';
import { startFakeSmtp } from '../support/fakeAlertServers.js';
import { useTempDirs } from '../support/tmp.js';

const tempDir = useTempDirs();

const LOADER = fileURLToPath(new URL('../../dist/cli/bundleLoader.js', import.meta.url));

type Loaded = { cacheUsed: boolean; main: string; later: string; file: string };

/**
 * loadBundle in a new worker thread, as bin/atlas.js calls it: a thread has its own V8 isolate, and
 * an isolate keeps the scripts it compiled, so a second load in one would not consult the cache at
 * all. Saves the cache when asked.
 */
function load(file: string, args: string[], env: Record<string, string>, save = true): Promise<Loaded> {
  const code = `
    const { parentPort, workerData: w } = require('node:worker_threads');
    import(w.loader).then(async ({ loadBundle }) => {
      const b = loadBundle(w.file, w.args, w.env);
      const out = { cacheUsed: b.cacheUsed, main: b.exports.main(w.args), later: await b.exports.loadLater(), file: b.exports.file };
      if (w.save) b.saveCache();
      parentPort.postMessage(out);
    });`;
  const worker = new Worker(code, { eval: true, workerData: { loader: pathToFileURL(LOADER).href, file, args, env, save } });
  return new Promise<Loaded>((resolve, reject) => {
    worker.once('message', (out: Loaded) => {
      resolve(out);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** A small CommonJS bundle: a few functions to cache, a require and an async function. */
function fakeBundle(dir: string, answer = 42): string {
  const file = join(dir, 'atlas.cjs');
  writeFileSync(
    file,
    [
      "const { join } = require('node:path');",
      `function answer() { return ${answer}; }`,
      'exports.main = (argv) => `${answer()} ${join("a", "b")} ${argv.length}`;',
      "exports.loadLater = async () => require('node:os').EOL;",
      'exports.file = __filename;',
    ].join('\n'),
  );
  return file;
}

describe('loadBundle', () => {
  it('runs the bundle, writes its code after the first run and takes it on the next', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = fakeBundle(dir);
    const env = { ATLAS_COMPILE_CACHE: cache };
    const first = await load(file, ['backtest'], env);
    expect(first).toEqual({ cacheUsed: false, main: '42 a/b 1', later: '\n', file });
    const written = readdirSync(cache);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version}-${process.arch}-backtest\\.bin$`));
    const bytes = readFileSync(join(cache, written[0]));

    const second = await load(file, ['backtest', '--json'], env);
    expect(second).toEqual({ cacheUsed: true, main: '42 a/b 2', later: '\n', file });
    // A run that used the cache leaves it as it is.
    expect(readdirSync(cache)).toEqual(written);
    expect(readFileSync(join(cache, written[0])).equals(bytes)).toBe(true);

    // Another command has its own cache, and so do runs with other flags for V8.
    expect((await load(file, ['scan'], env, false)).cacheUsed).toBe(false);
    expect((await load(file, ['backtest'], { ...env, NODE_OPTIONS: '--max-old-space-size=700' })).cacheUsed).toBe(false);
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it('a cache V8 rejects (damaged, another V8) is not used, and the next save replaces it', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = fakeBundle(dir);
    const env = { ATLAS_COMPILE_CACHE: cache };
    await load(file, ['demo'], env);
    const [name] = readdirSync(cache);
    const garbage = Buffer.alloc(2000, 7);
    writeFileSync(join(cache, name), garbage);
    const damaged = await load(file, ['demo'], env);
    expect(damaged).toMatchObject({ cacheUsed: false, main: '42 a/b 1' });
    expect(readFileSync(join(cache, name)).equals(garbage)).toBe(false);
    expect((await load(file, ['demo'], env)).cacheUsed).toBe(true);
  });

  it('a changed bundle of the same length never runs the old code', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const env = { ATLAS_COMPILE_CACHE: cache };
    await load(fakeBundle(dir, 42), ['scan'], env);
    // V8 checks only the source length; the key's hash of the text is what tells the builds apart.
    expect(await load(fakeBundle(dir, 43), ['scan'], env)).toMatchObject({ cacheUsed: false, main: '43 a/b 1' });
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it('a save removes the files of other builds and temp files not written for a week, and nothing else', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    mkdirSync(cache, { mode: 0o700 });
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    const names = {
      oldBuild: '0123456789abcdef-v20.0.0-x64-scan.bin',
      oldTemp: '0123456789abcdef-v20.0.0-x64-scan.bin.4242.tmp',
      recentBuild: 'fedcba9876543210-v20.0.0-x64-scan.bin',
      foreign: 'notes.txt',
    };
    for (const name of Object.values(names)) writeFileSync(join(cache, name), 'x');
    for (const name of [names.oldBuild, names.oldTemp, names.foreign]) utimesSync(join(cache, name), weekAgo, weekAgo);
    await load(fakeBundle(dir), ['scan'], { ATLAS_COMPILE_CACHE: cache });
    const left = readdirSync(cache);
    expect(left).not.toContain(names.oldBuild);
    expect(left).not.toContain(names.oldTemp);
    expect(left).toContain(names.recentBuild);
    expect(left).toContain(names.foreign);
    expect(left.filter((n) => n.endsWith('-scan.bin'))).toHaveLength(2);
  });

  it('off, or a folder others can write to: no cache, the bundle still runs', async () => {
    const dir = tempDir();
    const file = fakeBundle(dir);
    expect(await load(file, ['scan'], { ATLAS_COMPILE_CACHE: 'off' })).toMatchObject({ cacheUsed: false, main: '42 a/b 1' });
    expect(compileCacheDir({ ATLAS_COMPILE_CACHE: 'off' })).toBeUndefined();

    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(compileCacheDir({ ATLAS_COMPILE_CACHE: shared })).toBeUndefined();
    expect((await load(file, ['scan'], { ATLAS_COMPILE_CACHE: shared })).main).toBe('42 a/b 1');
    expect(readdirSync(shared)).toEqual([]);

    const notADir = join(dir, 'file');
    writeFileSync(notADir, '');
    expect(compileCacheDir({ ATLAS_COMPILE_CACHE: notADir })).toBeUndefined();
    expect(compileCacheDir({ ATLAS_COMPILE_CACHE: join(dir, 'new', 'nested') })).toBe(join(dir, 'new', 'nested'));
  });
});

describe('cacheKeyOf', () => {
  it('is the command word, skipping the global options and their values', () => {
    expect(cacheKeyOf(['--data-dir', 'store', 'backtest', '--json'])).toBe('backtest');
    expect(cacheKeyOf(['--data-dir=store', 'sweep'])).toBe('sweep');
    expect(cacheKeyOf(['--log-level', 'debug', 'data', 'sync'])).toBe('data');
    expect(cacheKeyOf(['--version'])).toBe('version');
    expect(cacheKeyOf([])).toBe('other');
    expect(cacheKeyOf(['--help'])).toBe('other');
    expect(cacheKeyOf(['../../etc/passwd'])).toBe('other');
    expect(cacheKeyOf(['Backtest'])).toBe('other');
  });
});

describe('packages the bundle loads on demand', () => {
  it('nodemailer and yahoo-finance2 load the same from a cached script as from a fresh one (and as unbundled); a failed run leaves no cache', async () => {
    const home = tempDir();
    const cache = join(home, 'cache');
    const smtp = await startFakeSmtp();
    // Yahoo's answer for a symbol it does not know: the provider must get as far as asking.
    const yahoo = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } }));
    });
    await new Promise<void>((r) => yahoo.listen(0, '127.0.0.1', () => r()));
    try {
      writeFileSync(
        join(home, 'atlas.operations.json'),
        JSON.stringify({ alerts: { channels: [{ type: 'email', name: 'mail', host: smtp.host, port: smtp.port, userEnv: 'T_USER', passwordEnv: 'T_PASS', from: 'atlas@localhost', to: ['me@localhost'] }] } }),
      );
      const env = { ATLAS_COMPILE_CACHE: cache, T_USER: smtp.user, T_PASS: smtp.password, ATLAS_YAHOO_URL: `http://127.0.0.1:${(yahoo.address() as AddressInfo).port}` };
      const alert = ['--data-dir', home, 'alert', 'test', '--json'];
      const sync = ['--data-dir', home, 'data', 'sync', '--symbols', 'ZZZZ', '--provider', 'yahoo', '--from', '2024-01-02', '--to', '2024-01-10', '--json'];
      const fresh = { alert: await runAtlas(alert, { env }), sync: await runAtlas(sync, { env }) };
      // The sync fails (Yahoo does not know ZZZZ): a failed run may have taken a short path and leaves no cache.
      expect(fresh.sync.code).toBe(1);
      expect(readdirSync(cache).map((n) => n.replace(/^.*-/, ''))).toEqual(['alert.bin']);
      expect((await runAtlas(['--data-dir', home, 'data', 'list'], { env })).code).toBe(0);
      expect(readdirSync(cache).map((n) => n.replace(/^.*-/, '')).sort()).toEqual(['alert.bin', 'data.bin']);
      const cached = { alert: await runAtlas(alert, { env }), sync: await runAtlas(sync, { env }) };
      const unbundled = await runAtlas(alert, { env: { ...env, ATLAS_UNBUNDLED: '1' } });
      expect(fresh.alert.code, fresh.alert.stderr).toBe(0);
      expect(cached.alert).toEqual(fresh.alert);
      expect(unbundled).toEqual(fresh.alert);
      expect(smtp.messages).toHaveLength(3);
      expect(cached.sync).toEqual(fresh.sync);
      // Yahoo's own answer, as yahoo-finance2 reports it: the client was built and asked.
      expect(JSON.parse(fresh.sync.stdout).results[0].error).toBe('Yahoo does not know the symbol ZZZZ (HTTP 404 Not Found); check the ticker.');
    } finally {
      await smtp.close();
      await new Promise((r) => yahoo.close(r));
    }
  }, 60_000);
});
