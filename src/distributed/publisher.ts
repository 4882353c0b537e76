/**
 * @module Where a coordinator puts the files its workers fetch (the panel, the sweep spec), each
 * named by its content hash: a small HTTP server (loopback by default; another address only when
 * named explicitly) or a directory every machine mounts. The job payload carries the URL
 * (`http://…/blobs/<hash>` or `file:///…/<hash>`), so a worker needs no configuration of its own.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AtlasError } from '../core/errors.js';
import { HASH_PATTERN } from './contentHash.js';

export interface Publisher {
  /** Makes `bytes` (whose sha256 is `hash`) fetchable; returns the URL workers fetch it from. */
  publish(hash: string, bytes: Uint8Array): Promise<string>;
  /** Where the files are offered (for messages). */
  readonly where: string;
  close(): Promise<void>;
}

/**
 * Serves published files over HTTP on `host:port` (port 0: any free one). The URL advertised to
 * workers is `advertise` when given (a name the workers resolve, e.g. a Docker service name),
 * otherwise http://host:port.
 */
export async function httpPublisher(options: { host?: string; port?: number; advertise?: string } = {}): Promise<Publisher> {
  const host = options.host ?? '127.0.0.1';
  const files = new Map<string, Uint8Array>();
  const server: Server = createServer((req, res) => {
    const m = /^\/blobs\/([0-9a-f]{64})$/.exec(req.url ?? '');
    const body = m ? files.get(m[1]) : undefined;
    if (req.method !== 'GET' || !body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) });
    res.end(body);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(new AtlasError(`Cannot serve the sweep's data on ${host}:${options.port ?? 0} (${err.code ?? err.message}); choose another --serve address or port.`, { code: 'SERVE_FAILED' })));
    server.listen(options.port ?? 0, host, () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 0;
  const base = (options.advertise ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  return {
    where: base,
    publish: (hash, bytes) => {
      if (!HASH_PATTERN.test(hash)) throw new Error(`not a content hash: ${hash}`);
      files.set(hash, bytes);
      return Promise.resolve(`${base}/blobs/${hash}`);
    },
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/** Writes published files into a directory every worker mounts at the same path (temp file + rename). */
export function directoryPublisher(dir: string): Publisher {
  const root = resolve(dir);
  try {
    mkdirSync(root, { recursive: true });
  } catch (err) {
    throw new AtlasError(`Cannot create the shared directory ${root} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass a writable --publish-dir.`, { code: 'SERVE_FAILED' });
  }
  return {
    where: root,
    publish: (hash, bytes) => {
      if (!HASH_PATTERN.test(hash)) throw new Error(`not a content hash: ${hash}`);
      const path = join(root, hash);
      if (!existsSync(path)) {
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, bytes);
        renameSync(tmp, path);
      }
      return Promise.resolve(pathToFileURL(path).href);
    },
    close: () => Promise.resolve(),
  };
}
