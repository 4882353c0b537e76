/**
 * @module The client half of `atlas resident`: bin/atlas.js asks here first whether a resident
 * process serves this command line, before it loads the CLI. Undefined means "run it yourself":
 * no resident, another data directory, another build or environment, or the resident went away
 * before it finished. Its stdout is held until the exit code arrives, so a run that falls back
 * never prints its results twice. Imports only Node's built-ins and protocol.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { commandWord } from '../commandWord.js';
import { envFingerprint, FRAME, FrameReader, frame, PROTOCOL, RESIDENT_COMMANDS, residentFolder, socketPath, type RunRequest } from './protocol.js';

/** The value of --data-dir anywhere before `--` (commander reads program options on either side of the command). */
export function dataDirFlagOf(args: readonly string[]): string | undefined {
  let flag: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') break;
    if (a === '--data-dir' && i + 1 < args.length) flag = args[++i];
    else if (a.startsWith('--data-dir=')) flag = a.slice('--data-dir='.length);
  }
  return flag;
}

/** ATLAS_HOME as the working directory's .env sets it (a real variable wins, as in config/env.ts). */
function homeFromDotEnv(cwd: string): string | undefined {
  try {
    return parseEnv(readFileSync(join(cwd, '.env'), 'utf8')).ATLAS_HOME || undefined;
  } catch {
    return undefined; // no .env, or one a local run will report
  }
}

export interface ResidentClientOptions {
  /** The build the client would run (see bin/atlas.js): a resident of another build refuses. */
  build: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/** The exit code of the command as a resident ran it, or undefined to run it here. */
export async function runInResident(args: readonly string[], opts: ResidentClientOptions): Promise<number | undefined> {
  const env = opts.env ?? process.env;
  if (env.ATLAS_RESIDENT === 'off') return undefined;
  const { word } = commandWord(args);
  if (word === undefined || !RESIDENT_COMMANDS.has(word)) return undefined;
  // Help wraps to the terminal's width, which the resident does not have.
  if (args.includes('--help') || args.includes('-h')) return undefined;
  const folder = residentFolder(false);
  if (!folder) return undefined;
  const cwd = opts.cwd ?? process.cwd();
  const flag = dataDirFlagOf(args);
  // As a local run resolves it (config/dataDir.ts; ATLAS_HOME may come from .env, which the
  // environment does not hold yet); the resident checks it again.
  const dataDir = resolve(cwd, flag ?? (env.ATLAS_HOME || homeFromDotEnv(cwd) || '.atlas'));
  const path = socketPath(folder, dataDir);
  if (!existsSync(path)) return undefined;
  const request: RunRequest = {
    protocol: PROTOCOL, build: opts.build, argv: [...args], cwd, env: envFingerprint(env), dataDirFlag: flag ?? null,
  };
  const stdout = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const stderr = opts.stderr ?? ((t: string) => process.stderr.write(t));
  return new Promise((done) => {
    const out: string[] = [];
    let settled = false;
    const settle = (code: number | undefined) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (code !== undefined) for (const t of out) stdout(t);
      done(code);
    };
    const socket = createConnection(path);
    const reader = new FrameReader();
    socket.on('connect', () => socket.write(frame(FRAME.run, JSON.stringify(request))));
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.type === FRAME.out) out.push(f.payload);
        else if (f.type === FRAME.note) stderr(f.payload);
        else if (f.type === FRAME.exit) settle((JSON.parse(f.payload) as { code: number }).code);
        else if (f.type === FRAME.refuse) settle(undefined);
      }
    });
    // A stale socket (ECONNREFUSED), a resident that stopped mid-run: run the command here.
    socket.on('error', () => settle(undefined));
    socket.on('close', () => settle(undefined));
  });
}
