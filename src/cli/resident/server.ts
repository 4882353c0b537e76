/**
 * @module The resident process (`atlas resident run`): it listens on a Unix socket in a folder
 * only its user can enter and runs the backtests and scans that `atlas` sends it, one at a time,
 * through the same `main` a local run calls. What it saves a run is what every new process pays
 * again: starting Node, loading and compiling the CLI, and reading the saved panel (kept in memory
 * here, data/store/panelCache.ts keepPanelsInMemory; the panel key still comes from the store on
 * every run, so a bar written since is never served from memory).
 *
 * A run is refused, and the client runs the command itself, unless it would run the same here:
 * the same protocol, Node and CLI build; the same environment (protocol.ts envFingerprint); the
 * same data directory, resolved as a local run resolves it (flag, else ATLAS_HOME after the
 * working directory's .env, else ./.atlas). Each run gets the client's working directory, and the
 * environment is put back afterwards (.env files are read into it).
 */
import { existsSync, rmSync, chmodSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { canonicalDataDir } from '../../config/dataDir.js';
import { AtlasError } from '../../core/errors.js';
import { panelsInMemory } from '../../data/store/panelCache.js';
import { commandWord } from '../commandWord.js';
import type { Output } from '../output.js';
import {
  envFingerprint, FRAME, FrameReader, frame, PROTOCOL, RESIDENT_COMMANDS, residentFolder, socketPath,
  type ResidentStatus, type RunRequest,
} from './protocol.js';

export interface ResidentOptions {
  dataDir: string;
  build: string;
  /** The build on disk now: when it is no longer `build` (the CLI was rebuilt), the resident stops. */
  buildNow?: () => string;
  idleMinutes: number;
  /** The CLI's main (argv as process.argv, the output to print through) -> exit code. */
  run: (argv: string[], io: Output) => Promise<number>;
  /** The resident's own log lines (one per run: command word, exit code, milliseconds). */
  log: (line: string) => void;
  now?: () => Date;
}

export interface Resident {
  socket: string;
  /** Resolves when the resident has stopped (stop request, idle, close()). */
  closed: Promise<void>;
  close(): void;
}

/** Makes process.env exactly `env` (keys it lacks are removed). */
export function replaceEnvironment(env: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
}

/** True when something accepts connections on `path`. */
export function answers(path: string): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection(path);
    s.on('connect', () => {
      s.destroy();
      done(true);
    });
    s.on('error', () => done(false));
  });
}

export async function startResident(opts: ResidentOptions): Promise<Resident> {
  if (process.platform === 'win32') throw new AtlasError('`atlas resident` needs Unix sockets (Linux, macOS); on Windows every command runs in its own process.', { code: 'RESIDENT_PLATFORM' });
  const folder = residentFolder(true);
  if (!folder) throw new AtlasError('The temp folder for resident sockets (atlas-resident-<uid>) is not private to this user; remove it and start again.', { code: 'RESIDENT_FOLDER' });
  const dataDir = canonicalDataDir(opts.dataDir);
  const path = socketPath(folder, dataDir);
  if (existsSync(path)) {
    if (await answers(path)) throw new AtlasError(`A resident process already serves ${dataDir}; stop it with \`atlas resident stop\` first.`, { code: 'RESIDENT_RUNNING' });
    rmSync(path, { force: true }); // left by a resident that was killed
  }
  const now = opts.now ?? (() => new Date());
  const status = { served: 0, refused: 0, lastRefusal: null as string | null };
  const startedAt = now().toISOString();
  const ownEnv = envFingerprint(process.env);
  let queue: Promise<void> = Promise.resolve();
  let idle: NodeJS.Timeout | undefined;
  let stopped = false;
  let closedResolve!: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));

  const send = (socket: Socket, type: number, payload: string) => {
    if (!socket.destroyed) socket.write(frame(type, payload));
  };
  const refuse = (socket: Socket, why: string) => {
    status.refused++;
    status.lastRefusal = why;
    opts.log(`refused: ${why}`);
    send(socket, FRAME.refuse, JSON.stringify({ why }));
    socket.end();
  };

  const armIdle = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      opts.log(`idle for ${opts.idleMinutes} minute(s): stopping`);
      close();
    }, opts.idleMinutes * 60_000);
    idle.unref();
  };

  const serve = async (socket: Socket, req: RunRequest) => {
    if (socket.destroyed) return;
    if (req.protocol !== PROTOCOL || req.build !== opts.build) {
      refuse(socket, 'another build of atlas or Node');
      // Rebuilt since this resident started: every client from now on would be refused.
      if (opts.buildNow && opts.buildNow() !== opts.build) {
        opts.log('the CLI was rebuilt: stopping');
        close();
      }
      return;
    }
    if (req.env !== ownEnv) return refuse(socket, 'another environment (ATLAS_*, provider keys, TZ, locale or NODE_OPTIONS differ)');
    const word = commandWord(req.argv).word;
    if (word === undefined || !RESIDENT_COMMANDS.has(word)) return refuse(socket, `not a resident command (${word ?? 'none'})`);
    const envBefore = { ...process.env };
    const cwdBefore = process.cwd();
    try {
      try {
        process.chdir(req.cwd);
      } catch {
        return refuse(socket, 'the working directory is gone');
      }
      // ATLAS_HOME may come from the working directory's .env, as in a local run (config/env.ts).
      if (req.dataDirFlag === null && existsSync(resolve(req.cwd, '.env'))) {
        try {
          process.loadEnvFile(resolve(req.cwd, '.env'));
        } catch {
          return refuse(socket, 'the .env file does not parse (a local run says why)');
        }
      }
      const wanted = canonicalDataDir(resolve(req.cwd, req.dataDirFlag ?? (process.env.ATLAS_HOME || '.atlas')));
      if (wanted !== dataDir) return refuse(socket, `another data directory (${wanted})`);
      const io: Output = {
        out: (t) => send(socket, FRAME.out, t.endsWith('\n') ? t : `${t}\n`),
        note: (t) => send(socket, FRAME.note, t.endsWith('\n') ? t : `${t}\n`),
        // Progress bars draw on a terminal the resident does not have: notes go as plain lines.
        isTTY: false,
      };
      const t0 = performance.now();
      const code = await opts.run([process.execPath, 'atlas', ...req.argv], io);
      status.served++;
      opts.log(`${word}: exit ${code} in ${(performance.now() - t0).toFixed(0)} ms`);
      send(socket, FRAME.exit, JSON.stringify({ code }));
      socket.end();
    } finally {
      replaceEnvironment(envBefore);
      process.chdir(cwdBefore);
    }
  };

  const info = (): ResidentStatus => {
    const panels = panelsInMemory();
    return {
      pid: process.pid, build: opts.build, dataDir, node: process.version, startedAt, idleMinutes: opts.idleMinutes,
      served: status.served, refused: status.refused, lastRefusal: status.lastRefusal,
      panels: panels.count, panelBytes: panels.bytes, rssBytes: process.memoryUsage().rss, heapBytes: process.memoryUsage().heapUsed,
    };
  };

  const server: Server = createServer((socket) => {
    const reader = new FrameReader();
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.type === FRAME.run) {
          let req: RunRequest;
          try {
            req = JSON.parse(f.payload) as RunRequest;
          } catch {
            socket.destroy();
            return;
          }
          // One run at a time: runs share the process (working directory, environment).
          queue = queue.then(() => serve(socket, req)).catch((err: unknown) => {
            opts.log(`run failed: ${String(err)}`);
            socket.destroy();
          }).finally(armIdle);
        } else if (f.type === FRAME.status) {
          send(socket, FRAME.info, JSON.stringify(info()));
          socket.end();
        } else if (f.type === FRAME.stop) {
          opts.log('stop requested');
          void queue.then(() => {
            send(socket, FRAME.exit, JSON.stringify({ code: 0 }));
            socket.end();
            close();
          });
        }
      }
    });
  });

  function close(): void {
    if (stopped) return;
    stopped = true;
    if (idle) clearTimeout(idle);
    server.close(() => closedResolve());
    rmSync(path, { force: true });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(path, () => {
      server.off('error', fail);
      ok();
    });
  });
  chmodSync(path, 0o600);
  armIdle();
  opts.log(`serving ${dataDir} on ${path} (pid ${process.pid})`);
  return { socket: path, closed, close };
}

/** Asks the resident at `path` for its status, or to stop; undefined when none answers. */
export function askResident(path: string, what: 'status' | 'stop', timeoutMs = 30_000): Promise<ResidentStatus | { stopped: true } | undefined> {
  return new Promise((done) => {
    const socket = createConnection(path);
    const reader = new FrameReader();
    const timer = setTimeout(() => {
      socket.destroy();
      done(undefined);
    }, timeoutMs);
    const finish = (v: ResidentStatus | { stopped: true } | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      done(v);
    };
    socket.on('connect', () => socket.write(frame(what === 'status' ? FRAME.status : FRAME.stop, '')));
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.type === FRAME.info) finish(JSON.parse(f.payload) as ResidentStatus);
        else if (f.type === FRAME.exit) finish({ stopped: true });
      }
    });
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
  });
}
