/**
 * @module A throwaway redis-server for the queue's tests and bench: Debian's binary on a free
 * 127.0.0.1 port, no persistence; never the system instance. `redisAvailable` is false (the
 * callers skip, saying why) when /usr/bin/redis-server is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { AtlasError } from '../core/errors.js';

export const REDIS_BIN = process.env.ATLAS_REDIS_SERVER ?? '/usr/bin/redis-server';
export const redisAvailable = existsSync(REDIS_BIN);
export const REDIS_SKIP_REASON = `${REDIS_BIN} is not installed (apt-get install redis-server); the queue tests are skipped`;

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.write('PING\r\n');
      c.once('data', (d) => {
        c.destroy();
        ok(d.toString().startsWith('+PONG'));
      });
    });
    c.once('error', () => ok(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(REDIS_BIN, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 200 && !exited; i++) {
    if (await answers(port)) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (exited || !(await answers(port))) throw new AtlasError(`redis-server did not start on 127.0.0.1:${port}; check that ${REDIS_BIN} runs.`, { code: 'REDIS_START' });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise<void>((ok) => {
      if (exited) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
    }),
  };
}
