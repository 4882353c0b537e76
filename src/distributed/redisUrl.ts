/**
 * @module The --queue flag: a redis:// URL naming the host explicitly (no default host, no
 * environment lookup), and a reachability check that fails in one sentence instead of BullMQ's
 * endless reconnect loop.
 */
import { Redis } from 'ioredis';
import { AtlasError } from '../core/errors.js';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** The URL without its password, for messages. */
  display: string;
}

export function parseRedisUrl(raw: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AtlasError(`--queue "${raw}" is not a URL; use redis://HOST:PORT, e.g. redis://127.0.0.1:6379.`, { code: 'BAD_FLAG' });
  }
  if (u.protocol !== 'redis:') throw new AtlasError(`--queue must be a redis://HOST:PORT URL, got the scheme "${u.protocol.replace(/:$/, '')}".`, { code: 'BAD_FLAG' });
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new AtlasError('--queue must name the Redis host, e.g. redis://127.0.0.1:6379.', { code: 'BAD_FLAG' });
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new AtlasError(`--queue database "${dbText}" must be a whole number, e.g. redis://127.0.0.1:6379/0.`, { code: 'BAD_FLAG' });
  const display = `redis://${u.host}${dbText ? `/${db}` : ''}`;
  return {
    host, port, db, display,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** ioredis/BullMQ connection options for a target (BullMQ workers need maxRetriesPerRequest: null). */
export function connectionOf(t: RedisTarget): { host: string; port: number; db: number; username?: string; password?: string; maxRetriesPerRequest: null } {
  return { host: t.host, port: t.port, db: t.db, username: t.username, password: t.password, maxRetriesPerRequest: null };
}

/** Resolves when Redis answers PING within `timeoutMs`; otherwise one AtlasError sentence. */
export async function checkRedis(t: RedisTarget, timeoutMs = 3000): Promise<void> {
  const client = new Redis({ host: t.host, port: t.port, db: t.db, username: t.username, password: t.password, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // The socket's own error (ECONNREFUSED, ENOTFOUND) says more than connect()'s "Connection is closed".
  let first: NodeJS.ErrnoException | null = null;
  client.on('error', (err: NodeJS.ErrnoException) => (first ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const why = first ?? (err as NodeJS.ErrnoException);
    throw new AtlasError(`Cannot reach Redis at ${t.display} (${why.code ?? why.message}); start redis-server there or fix --queue.`, { code: 'QUEUE_UNREACHABLE' });
  } finally {
    client.disconnect();
  }
}
