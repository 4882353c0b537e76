/**
 * @module A worker's cache of published files by content hash: in memory for the files in use, on
 * disk (optional) across restarts. A fetched file whose sha256 is not its name is refused, so a
 * worker never runs a sweep on data other than the coordinator's.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtlasError } from '../core/errors.js';
import { contentHash, HASH_PATTERN } from './contentHash.js';

export type Fetcher = (url: string) => Promise<Uint8Array>;

/** http(s):// through fetch, file:// from the disk. */
export const fetchBytes: Fetcher = async (url) => {
  if (url.startsWith('file:')) return readFile(fileURLToPath(url));
  if (!/^https?:\/\//.test(url)) throw new AtlasError(`Cannot fetch ${url}: only http, https and file URLs are supported.`, { code: 'FETCH_FAILED' });
  const res = await fetch(url);
  if (!res.ok) throw new AtlasError(`Fetching ${url} answered HTTP ${res.status}; is the coordinator still running?`, { code: 'FETCH_FAILED' });
  return new Uint8Array(await res.arrayBuffer());
};

/**
 * Decoded objects by hash (at most `keep` of them, least recently used dropped first); bytes on
 * disk under `dir` when given. Concurrent requests for one hash share one fetch.
 */
export class BlobCache<T> {
  private readonly memory = new Map<string, Promise<T>>();

  constructor(
    private readonly decode: (bytes: Uint8Array) => T,
    private readonly options: { dir?: string; keep?: number; fetch?: Fetcher } = {},
  ) {
    if (options.dir) mkdirSync(options.dir, { recursive: true });
  }

  get(hash: string, url: string): Promise<T> {
    if (!HASH_PATTERN.test(hash)) return Promise.reject(new AtlasError(`"${hash}" is not a content hash.`, { code: 'BAD_JOB' }));
    const hit = this.memory.get(hash);
    if (hit) {
      this.memory.delete(hash);
      this.memory.set(hash, hit);
      return hit;
    }
    const p = this.load(hash, url);
    this.memory.set(hash, p);
    // A failed fetch is not remembered: the next job asks again.
    p.catch(() => this.memory.delete(hash));
    while (this.memory.size > (this.options.keep ?? 2)) this.memory.delete(this.memory.keys().next().value!);
    return p;
  }

  private async load(hash: string, url: string): Promise<T> {
    const onDisk = this.options.dir ? join(this.options.dir, hash) : null;
    if (onDisk && existsSync(onDisk)) {
      const bytes = readFileSync(onDisk);
      if (contentHash(bytes) === hash) return this.decode(bytes);
    }
    const bytes = await (this.options.fetch ?? fetchBytes)(url);
    const got = contentHash(bytes);
    if (got !== hash) throw new AtlasError(`The file fetched from ${url} has sha256 ${got.slice(0, 12)}…, not ${hash.slice(0, 12)}…; it was changed or corrupted in transit.`, { code: 'HASH_MISMATCH' });
    if (onDisk) {
      const tmp = `${onDisk}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, onDisk);
    }
    return this.decode(bytes);
  }
}
