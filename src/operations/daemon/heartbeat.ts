/**
 * @module The daemon's heartbeat: a small JSON file in the data directory (written whole: temp
 * file then rename) saying who runs, since when, what it is doing and what it will do next.
 * `atlas status` and the dashboard read it; a beat older than three intervals, or a pid that is
 * gone on this host, means the daemon is not alive.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const HEARTBEAT_FILE = 'daemon.heartbeat.json';

export interface Heartbeat {
  pid: number;
  host: string;
  startedAt: string;
  beatAt: string;
  intervalMs: number;
  /** e.g. 'idle', 'after_close:2024-08-01 snapshot LARGE', 'stopping'. */
  state: string;
  nextJob: { id: string; at: string; tasks: string[] } | null;
  lastJob: { id: string; status: string; finishedAt: string | null } | null;
}

export function writeHeartbeat(dataDir: string, beat: Heartbeat): void {
  const path = join(dataDir, HEARTBEAT_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(beat, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readHeartbeat(dataDir: string): Heartbeat | null {
  const path = join(dataDir, HEARTBEAT_FILE);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Heartbeat;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DaemonLiveness {
  alive: boolean;
  reason: string;
  heartbeat: Heartbeat | null;
}

export function daemonLiveness(dataDir: string, now: Date): DaemonLiveness {
  const hb = readHeartbeat(dataDir);
  if (!hb) return { alive: false, reason: 'no daemon has run in this data directory (atlas run starts one)', heartbeat: null };
  if (hb.state === 'stopped') return { alive: false, reason: `stopped at ${hb.beatAt}`, heartbeat: hb };
  const age = now.getTime() - Date.parse(hb.beatAt);
  if (hb.host === hostname() && !pidAlive(hb.pid)) return { alive: false, reason: `process ${hb.pid} is gone (last beat ${hb.beatAt}); it crashed or was killed`, heartbeat: hb };
  if (age > 3 * hb.intervalMs) return { alive: false, reason: `last heartbeat ${Math.round(age / 1000)} s ago (${hb.beatAt})`, heartbeat: hb };
  return { alive: true, reason: `pid ${hb.pid} on ${hb.host}, ${hb.state}`, heartbeat: hb };
}
