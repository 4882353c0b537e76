import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string; // pathname only
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What a handler may return: a reply to send, or 'hang' (never answer) / 'drop' (destroy the socket). */
export type StubReply =
  | { status?: number; json?: unknown; body?: string; headers?: Record<string, string> }
  | 'hang'
  | 'drop';

export type StubHandler = (req: RecordedRequest, index: number) => StubReply | Promise<StubReply>;

export interface StubServer {
  url: string; // http://127.0.0.1:PORT
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 (random port) that records every request and answers via `handler`. */
export async function startStubServer(handler: StubHandler): Promise<StubServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.length;
      requests.push(rec);
      Promise.resolve(handler(rec, index))
        .then((reply) => {
          if (reply === 'hang') return;
          if (reply === 'drop') {
            req.socket.destroy();
            return;
          }
          const body = reply.body ?? (reply.json !== undefined ? JSON.stringify(reply.json) : '');
          res.writeHead(reply.status ?? 200, {
            'content-type': reply.json !== undefined ? 'application/json' : 'text/plain',
            ...reply.headers,
          });
          res.end(body);
        })
        .catch((err: unknown) => {
          res.writeHead(599, { 'content-type': 'text/plain' });
          res.end(`stub handler threw: ${String(err)}`);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An injectable sleep that records what was asked and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}
