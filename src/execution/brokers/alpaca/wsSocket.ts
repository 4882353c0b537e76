import { AtlasError } from '../../../core/errors.js';
import type { SocketFactory } from './socket.js';

/**
 * @module The real `SocketFactory`, on the `ws` npm package. `ws` is loaded lazily so that an
 * install without it still trades (orders are then polled): `loadWsSocketFactory` throws an
 * AtlasError (code ALPACA_STREAM_UNAVAILABLE) that the caller treats as "no stream".
 */

interface WsInstance {
  on(event: 'open', cb: () => void): void;
  on(event: 'message', cb: (data: unknown, isBinary: boolean) => void): void;
  on(event: 'close', cb: (code: number, reason: unknown) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  send(data: string): void;
  close(): void;
}

type WsConstructor = new (url: string, opts?: { handshakeTimeout?: number }) => WsInstance;

/** Buffer, ArrayBuffer or an array of Buffers (ws's fragmented frames) -> UTF-8 text. */
export function frameText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data.filter((b): b is Buffer => Buffer.isBuffer(b))).toString('utf8');
  return String(data);
}

export async function loadWsSocketFactory(handshakeTimeoutMs = 10_000): Promise<SocketFactory> {
  // A variable specifier: the type checker does not require `ws` to be installed.
  const specifier = 'ws';
  let Ctor: WsConstructor;
  try {
    const mod = (await import(specifier)) as { default?: WsConstructor; WebSocket?: WsConstructor };
    const found = mod.WebSocket ?? mod.default;
    if (found === undefined) throw new Error('no WebSocket export');
    Ctor = found;
  } catch (err) {
    throw new AtlasError('The trade_updates stream needs the ws package, which is not installed; run npm install ws (orders are polled meanwhile).', {
      code: 'ALPACA_STREAM_UNAVAILABLE',
      cause: err,
    });
  }
  return (url, h) => {
    const ws = new Ctor(url, { handshakeTimeout: handshakeTimeoutMs });
    ws.on('open', () => h.onOpen());
    ws.on('message', (data) => h.onMessage(frameText(data)));
    ws.on('close', (code, reason) => h.onClose(code, frameText(reason)));
    ws.on('error', (err) => h.onError(err));
    return { send: (text) => ws.send(text), close: () => ws.close() };
  };
}
