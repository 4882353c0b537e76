/**
 * @module What the `atlas` client and a resident process (`atlas resident`, server.ts) say to each
 * other over a Unix socket, and where that socket lives. Imports only Node's built-ins and
 * config/dataDir.ts: bin/atlas.js loads it (through client.ts) before the CLI itself.
 *
 * A frame is one type byte, a 32-bit little-endian length and that many bytes of UTF-8.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalDataDir } from '../../config/dataDir.js';

/** Commands a resident process runs: they read the store and print, and write nothing but the files asked for. */
export const RESIDENT_COMMANDS: ReadonlySet<string> = new Set(['backtest', 'scan']);

/** Bumped when a frame's meaning changes: a client and a resident of different versions never talk. */
export const PROTOCOL = 1;

export const FRAME = {
  /** client -> resident: a command line to run (RunRequest). */
  run: 0x52,
  /** client -> resident: stop. */
  stop: 0x53,
  /** client -> resident: how are you (ResidentStatus back). */
  status: 0x51,
  /** resident -> client: text for stdout. */
  out: 0x4f,
  /** resident -> client: text for stderr. */
  note: 0x4e,
  /** resident -> client: the command's exit code ({ code }). */
  exit: 0x58,
  /** resident -> client: not run here ({ why }); the client runs the command itself. */
  refuse: 0x46,
  /** resident -> client: ResidentStatus. */
  info: 0x54,
} as const;

export interface RunRequest {
  protocol: number;
  /** Node's version and the CLI build the client would run (buildId). */
  build: string;
  argv: string[];
  cwd: string;
  /** envFingerprint of the client's environment. */
  env: string;
  /** The --data-dir flag as given, for the resident to resolve as a local run would. */
  dataDirFlag: string | null;
}

export interface ResidentStatus {
  pid: number;
  /** The build it runs (RunRequest.build): `atlas resident start` replaces a resident of another. */
  build: string;
  dataDir: string;
  node: string;
  startedAt: string;
  idleMinutes: number;
  served: number;
  refused: number;
  lastRefusal: string | null;
  panels: number;
  panelBytes: number;
  rssBytes: number;
  /** V8 heap in use after the last run. */
  heapBytes: number;
}

export function frame(type: number, payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const head = Buffer.allocUnsafe(5);
  head[0] = type;
  head.writeUInt32LE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into frames, whatever the chunk boundaries. */
export class FrameReader {
  private buffered: Buffer[] = [];
  private size = 0;

  /** Bytes the frame at the head needs in all (header included), once its header has arrived. */
  private need = 5;

  push(chunk: Buffer): { type: number; payload: string }[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const frames: { type: number; payload: string }[] = [];
    // A megabyte of results arrives in 64 KB chunks: joined once it is complete, not at every chunk.
    if (this.size < this.need) return frames;
    let all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered, this.size);
    let at = 0;
    while (all.length - at >= 5) {
      const len = all.readUInt32LE(at + 1);
      if (all.length - at - 5 < len) break;
      frames.push({ type: all[at], payload: all.toString('utf8', at + 5, at + 5 + len) });
      at += 5 + len;
    }
    all = all.subarray(at);
    this.buffered = all.length ? [all] : [];
    this.size = all.length;
    this.need = all.length >= 5 ? 5 + all.readUInt32LE(1) : 5;
    return frames;
  }
}

/**
 * The environment that can change what a command does: Atlas's own variables and those of its
 * providers, the time zone, the locale and Node's options. Two processes with the same
 * fingerprint run a command the same way; ATLAS_RESIDENT and ATLAS_COMPILE_CACHE only choose
 * where the code runs and are left out.
 */
export function envFingerprint(env: NodeJS.ProcessEnv): string {
  const keys = Object.keys(env)
    .filter((k) => /^(?:ATLAS|ALPACA|APCA|TIINGO|TELEGRAM|SMTP|NODE)_/.test(k) || ['TZ', 'LANG', 'LC_ALL', 'NO_COLOR', 'FORCE_COLOR', 'CHROMIUM_PATH'].includes(k))
    .filter((k) => k !== 'ATLAS_RESIDENT' && k !== 'ATLAS_COMPILE_CACHE')
    .sort();
  return hashText(keys.map((k) => `${k}\0${env[k] ?? ''}`).join('\0'));
}

/**
 * A 106-bit hash of a text (cyrb53 with two seeds): it tells environments and folders apart, it is
 * not a secret's protection (the socket is private to the user). node:crypto would cost the
 * client more to load than the whole hash.
 */
export function hashText(text: string): string {
  const one = (seed: number): string => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
  };
  return one(1) + one(2);
}

/** The folder of this user's resident sockets, or undefined when it is missing (nothing resident) or unsafe. */
export function residentFolder(create: boolean): string | undefined {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `atlas-resident-${uid ?? 'user'}`);
  try {
    if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    // Anyone who can connect can run commands as this user: the folder is this user's alone.
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** The socket of the resident serving `dataDir`: short (a Unix socket path holds ~100 bytes). */
export function socketPath(folder: string, dataDir: string): string {
  return join(folder, `${hashText(canonicalDataDir(dataDir)).slice(0, 20)}.sock`);
}
