import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInResident, dataDirFlagOf } from '../../src/cli/resident/client.js';
import { envFingerprint, FRAME, FrameReader, frame, PROTOCOL, residentFolder, socketPath, type RunRequest } from '../../src/cli/resident/protocol.js';
import { createConnection } from 'node:net';
import { askResident, startResident, type Resident } from '../../src/cli/resident/server.js';
import type { Output } from '../../src/cli/output.js';
import { createContext, holdDatabase } from '../../src/cli/context.js';
import { openDatabase } from '../../src/data/store/database.js';
import { writeDemoStore } from '../backtest/demoStore.js';
import { runAtlas } from '../support/cli.js';

/**
 * The resident process (`atlas resident`): a command it runs prints what the same command run
 * locally prints, and every reason not to run it there (another build, environment or data
 * directory; a resident gone mid-run) sends the client back to running it itself, with nothing
 * printed twice.
 */
const root = mkdtempSync(join(tmpdir(), 'atlas-resident-test-'));
const savedTmp = process.env.TMPDIR;
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(root, { recursive: true, force: true });
});

describe('frames', () => {
  it('decode the same whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.string({ unit: 'grapheme', maxLength: 40 })), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }), (frames, cuts) => {
        const bytes = Buffer.concat(frames.map(([t, p]) => frame(t, p)));
        const reader = new FrameReader();
        const got: [number, string][] = [];
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = cuts[i % cuts.length];
          for (const f of reader.push(bytes.subarray(at, at + n))) got.push([f.type, f.payload]);
          at += n;
        }
        expect(got).toEqual(frames);
      }),
    );
  });

  it('reads --data-dir on either side of the command, and not after --', () => {
    expect(dataDirFlagOf(['--data-dir', 'a', 'backtest'])).toBe('a');
    expect(dataDirFlagOf(['backtest', '--data-dir=b', '--json'])).toBe('b');
    expect(dataDirFlagOf(['backtest', '--', '--data-dir', 'c'])).toBeUndefined();
  });
});

describe('a resident in this process, with a stand-in for main', () => {
  let tmp = '';
  let dataDir = '';
  let resident: Resident;
  const runs: string[][] = [];
  let active = 0;
  let most = 0;
  beforeAll(async () => {
    tmp = mkdtempSync(join(root, 'inproc-'));
    process.env.TMPDIR = join(tmp, 'tmp');
    mkdirSync(process.env.TMPDIR);
    dataDir = join(tmp, 'work', '.atlas');
    mkdirSync(dataDir, { recursive: true });
    resident = await startResident({
      dataDir, build: 'build-1', idleMinutes: 5, log: () => {},
      run: async (argv: string[], io: Output) => {
        active++;
        most = Math.max(most, active);
        runs.push(argv.slice(2));
        process.env.ATLAS_LEAK_TEST = 'set by a run';
        try {
          await new Promise((r) => setTimeout(r, 30));
          io.note('a note');
          io.out(`out of ${argv.slice(2).join(' ')} in ${process.cwd()}`);
          if (argv.includes('--boom')) throw new Error('boom');
          return argv.includes('--fail') ? 3 : 0;
        } finally {
          active--;
        }
      },
    });
  });
  afterAll(() => resident.close());

  /** The type of the first frame the resident answers a hand-made run request with. */
  const rawRun = (req: RunRequest): Promise<number> =>
    new Promise((done, fail) => {
      const socket = createConnection(resident.socket);
      const reader = new FrameReader();
      socket.on('connect', () => socket.write(frame(FRAME.run, JSON.stringify(req))));
      socket.on('data', (chunk: Buffer) => {
        const [first] = reader.push(chunk);
        if (first) {
          socket.destroy();
          done(first.type);
        }
      });
      socket.on('error', fail);
    });

  const client = async (args: string[], opts: { build?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) => {
    let stdout = '';
    let stderr = '';
    const code = await runInResident(args, {
      build: opts.build ?? 'build-1', env: opts.env ?? process.env, cwd: opts.cwd ?? join(tmp, 'work'),
      stdout: (t) => (stdout += t), stderr: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  };

  it('runs a backtest in the client\'s working directory, holds stdout until the exit code, and puts the environment back', async () => {
    const r = await client(['backtest', '--json']);
    expect(r).toEqual({ code: 0, stdout: `out of backtest --json in ${join(tmp, 'work')}\n`, stderr: 'a note\n' });
    expect(process.env.ATLAS_LEAK_TEST).toBeUndefined();
    expect(process.cwd()).not.toBe(join(tmp, 'work'));
    expect((await client(['scan', '--fail'])).code).toBe(3);
  });

  it('runs one command at a time', async () => {
    most = 0;
    const all = await Promise.all([client(['scan', '1']), client(['scan', '2']), client(['scan', '3'])]);
    expect(all.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(most).toBe(1);
  });

  it('sends the client back for another build, another environment, another data directory or another command', async () => {
    const before = runs.length;
    expect((await client(['backtest'], { build: 'build-2' })).code).toBeUndefined();
    expect((await client(['backtest'], { env: { ...process.env, ATLAS_PANEL_CACHE: 'off' } })).code).toBeUndefined();
    // Not a resident command, or help (wrapped to the terminal's width): the client does not even ask.
    expect((await client(['sweep'])).code).toBeUndefined();
    expect((await client(['backtest', '--help'])).code).toBeUndefined();
    // .env in the working directory moves the data directory away from the resident's.
    const other = join(tmp, 'other');
    mkdirSync(join(other, '.atlas'), { recursive: true });
    writeFileSync(join(other, '.env'), `ATLAS_HOME=${join(tmp, 'elsewhere')}\n`);
    expect((await client(['backtest', '--data-dir', dataDir], { cwd: other })).code).toBe(0); // the flag wins over .env
    const moved = await client(['backtest'], { cwd: join(tmp, 'work'), env: { ...process.env } });
    expect(moved.code).toBe(0);
    // ATLAS_HOME only in a .env: the client finds the resident as a local run finds the store.
    const homed = join(tmp, 'homed');
    mkdirSync(homed);
    writeFileSync(join(homed, '.env'), `ATLAS_HOME=${dataDir}\n`);
    expect((await client(['backtest'], { cwd: homed })).code).toBe(0);
    // A .env moving the data directory away: the client does not ask; and the resident checks the
    // directory itself, whatever a client sends.
    writeFileSync(join(tmp, 'work', '.env'), `ATLAS_HOME=${join(tmp, 'elsewhere')}\n`);
    expect((await client(['backtest'])).code).toBeUndefined();
    expect(await rawRun({ protocol: PROTOCOL, build: 'build-1', argv: ['backtest'], cwd: join(tmp, 'work'), env: envFingerprint(process.env), dataDirFlag: null })).toBe(FRAME.refuse);
    expect(process.env.ATLAS_HOME).toBeUndefined();
    rmSync(join(tmp, 'work', '.env'));
    expect(runs.length).toBe(before + 3);
    const s = await askResident(resident.socket, 'status');
    expect(s && 'refused' in s && s.refused).toBe(3);
    expect(s && 'lastRefusal' in s && s.lastRefusal).toMatch(/another data directory/);
    // The same environment is the same fingerprint, in any key order; a change to an Atlas variable is not.
    expect(envFingerprint({ TZ: 'UTC', ATLAS_X: '1', HOME: '/a' })).toBe(envFingerprint({ HOME: '/b', ATLAS_X: '1', TZ: 'UTC', ATLAS_RESIDENT: 'on' }));
    expect(envFingerprint({ ATLAS_X: '1' })).not.toBe(envFingerprint({ ATLAS_X: '2' }));
  });

  it('prints nothing of a run the resident did not finish, so the local run that follows is the only output', async () => {
    const r = await client(['backtest', '--boom']);
    expect(r.code).toBeUndefined();
    expect(r.stdout).toBe('');
  });

  it('leaves a killed resident\'s socket to the local run, and a new resident replaces it', async () => {
    const folder = residentFolder(false)!;
    const stale = socketPath(folder, join(tmp, 'stale'));
    mkdirSync(join(tmp, 'stale'));
    writeFileSync(stale, ''); // a file where a socket was: nothing answers
    expect((await client(['backtest', '--data-dir', join(tmp, 'stale')])).code).toBeUndefined();
    const again = await startResident({ dataDir: join(tmp, 'stale'), build: 'build-1', idleMinutes: 5, log: () => {}, run: async () => 0 });
    expect((await client(['backtest', '--data-dir', join(tmp, 'stale')])).code).toBe(0);
    await expect(startResident({ dataDir: join(tmp, 'stale'), build: 'build-1', idleMinutes: 5, log: () => {}, run: async () => 0 })).rejects.toThrow(/already serves/);
    again.close();
    await again.closed;
    expect(existsSync(stale)).toBe(false);
  });

  it('stops once the CLI it runs was rebuilt, at the first client of the new build', async () => {
    const dir = join(tmp, 'rebuilt');
    mkdirSync(dir);
    let onDisk = 'build-1';
    const r = await startResident({ dataDir: dir, build: 'build-1', buildNow: () => onDisk, idleMinutes: 5, log: () => {}, run: async () => 0 });
    expect((await client(['backtest', '--data-dir', dir], { build: 'build-0' })).code).toBeUndefined(); // an old client: refused, the resident stays
    expect((await client(['backtest', '--data-dir', dir])).code).toBe(0);
    onDisk = 'build-2';
    expect((await client(['backtest', '--data-dir', dir], { build: 'build-2' })).code).toBeUndefined();
    await r.closed;
  });

  it('stops after its idle time', async () => {
    const dir = join(tmp, 'idle');
    mkdirSync(dir);
    const r = await startResident({ dataDir: dir, build: 'build-1', idleMinutes: 0.001, log: () => {}, run: async () => 0 });
    await r.closed;
    expect(readdirSync(residentFolder(false)!).some((n) => n === socketPath(residentFolder(false)!, dir).split('/').pop())).toBe(false);
  });
});

describe('the store a resident holds', () => {
  it('is the one every run on its data directory uses, and a run leaves it open; other directories open their own', () => {
    const dir = mkdtempSync(join(root, 'held-'));
    const db = openDatabase(dir);
    const io: Output = { out: () => {}, note: () => {}, isTTY: false };
    holdDatabase(dir, db);
    try {
      const a = createContext({ dataDir: dir }, io);
      const b = createContext({ dataDir: `${dir}/.` }, io);
      expect(a.db()).toBe(db);
      expect(b.db()).toBe(db);
      a.close();
      expect(db.open).toBe(true);
      const other = createContext({ dataDir: join(dir, 'other') }, io);
      const own = other.db();
      expect(own).not.toBe(db);
      other.close();
      expect(own.open).toBe(false);
    } finally {
      holdDatabase(dir, undefined);
      db.close();
    }
    const after = createContext({ dataDir: dir }, io);
    expect(after.db()).not.toBe(db);
    after.close();
  });
});

describe('atlas resident, through the real binary', () => {
  let tmp = '';
  let dataDir = '';
  let env: Record<string, string> = {};
  beforeAll(() => {
    tmp = mkdtempSync(join(root, 'bin-'));
    dataDir = join(tmp, 'store');
    writeDemoStore(dataDir);
    mkdirSync(join(tmp, 'tmp'));
    env = { TMPDIR: join(tmp, 'tmp'), ATLAS_HOME: dataDir };
  }, 120_000);
  afterAll(async () => {
    await runAtlas(['--data-dir', dataDir, 'resident', 'stop'], { env });
  });

  const served = async (): Promise<number> => {
    const s = await runAtlas(['--data-dir', dataDir, 'resident', 'status', '--json'], { env });
    const j = JSON.parse(s.stdout) as { running: boolean; resident?: { served: number } };
    return j.running ? j.resident!.served : -1;
  };

  it('prints what a local run prints, byte for byte, for results and for errors', async () => {
    const args = ['--data-dir', dataDir, 'backtest', '--universe', 'technology', '--from', '2006-01-03', '--json'];
    const local = await runAtlas(args, { env: { ...env, ATLAS_RESIDENT: 'off' } });
    expect(local.code).toBe(0);
    // Started from a folder whose .env holds a key: the clients' environments do not, and are served.
    const work = join(tmp, 'work');
    mkdirSync(work);
    writeFileSync(join(work, '.env'), 'TIINGO_API_KEY=abcdefgh12345678\n');
    const start = await runAtlas(['resident', 'start', '--idle', '10'], { env, cwd: work });
    expect(start.stderr).toBe('');
    expect(start.stdout).toMatch(/^resident process \d+ serves /);
    expect(await served()).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await runAtlas(args, { env, cwd: i === 0 ? work : undefined });
      expect(r).toEqual(local);
    }
    expect(await served()).toBe(2);
    const badLocal = await runAtlas(['--data-dir', dataDir, 'scan', '--universe', 'nope'], { env: { ...env, ATLAS_RESIDENT: 'off' } });
    const bad = await runAtlas(['--data-dir', dataDir, 'scan', '--universe', 'nope'], { env });
    expect(bad).toEqual(badLocal);
    expect(bad.code).not.toBe(0);
    expect(await served()).toBe(3);
    // Another environment: run locally, same output, and the resident says why it refused.
    expect(await runAtlas(args, { env: { ...env, ATLAS_PANEL_CACHE: 'off' } })).toEqual(local);
    const status = await runAtlas(['--data-dir', dataDir, 'resident', 'status'], { env });
    expect(status.stdout).toMatch(/runs served\s*│\s*3/);
    expect(status.stdout).toMatch(/1 \(last: another environment/);
    const stop = await runAtlas(['--data-dir', dataDir, 'resident', 'stop'], { env });
    expect(stop.stdout).toMatch(/^stopped the resident process of /);
    expect(await served()).toBe(-1);
    expect(await runAtlas(args, { env })).toEqual(local);
  }, 60_000);

  it('start replaces a resident of an earlier build, which would refuse every client', async () => {
    const before = process.env.TMPDIR;
    process.env.TMPDIR = env.TMPDIR;
    try {
      const old = await startResident({ dataDir, build: 'an earlier build', idleMinutes: 5, log: () => {}, run: async () => 0 });
      const start = await runAtlas(['--data-dir', dataDir, 'resident', 'start'], { env });
      expect(start.stderr).toMatch(/^stopped the resident process of an earlier build \(pid \d+\)/);
      expect(start.stdout).toMatch(/^resident process \d+ serves /);
      await old.closed;
      expect(await served()).toBe(0);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      await runAtlas(['--data-dir', dataDir, 'resident', 'stop'], { env });
    }
  }, 60_000);
});
