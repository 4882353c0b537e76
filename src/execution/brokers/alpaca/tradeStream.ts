import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import { AtlasError } from '../../../core/errors.js';
import type { TradeUpdate, TradeUpdateStream } from '../broker.js';
import type { AlpacaKeys } from './config.js';
import { rawOrderSchema, timestamp, toOrder } from './schemas.js';
import type { SocketFactory, WebSocketLike } from './socket.js';

/**
 * @module Alpaca's trade_updates stream (wss://paper-api.alpaca.markets/stream): connect, send
 * {"action":"auth","key":..,"secret":..}, wait for {"stream":"authorization","data":{"status":
 * "authorized"}}, send {"action":"listen","data":{"streams":["trade_updates"]}}, wait for the
 * "listening" acknowledgement, then hand every {"stream":"trade_updates","data":{event, order,
 * timestamp}} to the listener as a TradeUpdate.
 *
 * A dropped connection reconnects with exponential backoff and full jitter. Updates sent while
 * the socket was down are lost, so after every successful reconnect the onReconnect listeners
 * fire and the caller reconciles in full (one list call); while `connected` is false the caller
 * polls. A refused key stops the stream for good (retrying cannot cure it).
 */

const authorizationSchema = z.object({ stream: z.literal('authorization'), data: z.object({ status: z.string(), action: z.string().optional() }) });
const listeningSchema = z.object({ stream: z.literal('listening'), data: z.object({ streams: z.array(z.string()) }) });
const tradeUpdateSchema = z.object({
  stream: z.literal('trade_updates'),
  data: z.object({ event: z.string(), order: rawOrderSchema, timestamp: timestamp.optional() }),
});

export interface TradeStreamOptions {
  url: string;
  keys: AlpacaKeys;
  socket: SocketFactory;
  clock: Clock;
  random: () => number;
  listener: (update: TradeUpdate) => void;
  /** Reconnect backoff: base and cap of the exponential step (full jitter in between). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Notes for the operator (never contains keys). */
  log?: (msg: string) => void;
}

export class AlpacaTradeStream implements TradeUpdateStream {
  private socket: WebSocketLike | undefined;
  private isConnected = false;
  private closed = false;
  private everListening = false;
  /** Failed connection attempts since the last successful listen. */
  private failures = 0;
  private readonly reconnectListeners: (() => void)[] = [];
  private firstOutcome: { resolve: () => void; reject: (e: Error) => void } | undefined;
  /** Connections opened so far (the first is 1). */
  connections = 0;

  constructor(private readonly o: TradeStreamOptions) {}

  get connected(): boolean {
    return this.isConnected;
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /**
   * Opens the first connection. Resolves once it listens, or once it fails for a reason a
   * reconnect may cure (the stream then keeps trying in the background, `connected` false);
   * rejects only when the key is refused.
   */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.firstOutcome = { resolve, reject };
      this.open();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.isConnected = false;
    const s = this.socket;
    this.socket = undefined;
    s?.close();
    this.settleFirst();
    await Promise.resolve();
  }

  private settleFirst(err?: Error): void {
    const f = this.firstOutcome;
    this.firstOutcome = undefined;
    if (!f) return;
    if (err) f.reject(err);
    else f.resolve();
  }

  private open(): void {
    if (this.closed) return;
    this.connections += 1;
    let socket: WebSocketLike | undefined;
    const mine = () => socket !== undefined && this.socket === socket;
    try {
      socket = this.o.socket(this.o.url, {
        onOpen: () => {
          if (!mine()) return;
          socket?.send(JSON.stringify({ action: 'auth', key: this.o.keys.keyId, secret: this.o.keys.secretKey }));
        },
        onMessage: (text) => {
          if (mine()) this.onMessage(text);
        },
        onClose: () => {
          if (mine()) this.lost('the connection closed');
        },
        onError: (err) => {
          if (mine()) this.lost(`the connection failed (${err.message.slice(0, 80)})`);
        },
      });
      this.socket = socket;
    } catch (err) {
      this.socket = undefined;
      this.lost(`the connection could not be opened (${err instanceof Error ? err.message.slice(0, 80) : 'error'})`);
    }
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text) as unknown;
    } catch {
      this.o.log?.('trade_updates: ignored a frame that is not JSON');
      return;
    }
    // Alpaca may batch messages in an array; handle each.
    for (const m of Array.isArray(msg) ? (msg as unknown[]) : [msg]) this.handle(m);
  }

  private handle(m: unknown): void {
    const auth = authorizationSchema.safeParse(m);
    if (auth.success) {
      if (auth.data.data.status === 'authorized') {
        this.socket?.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
        return;
      }
      const err = new AtlasError(`Alpaca refused the key on the trade_updates stream (${auth.data.data.status.slice(0, 40)}); check the paper key pair.`, { code: 'ALPACA_AUTH' });
      this.o.log?.(err.message);
      this.closed = true;
      this.isConnected = false;
      const s = this.socket;
      this.socket = undefined;
      s?.close();
      this.settleFirst(err);
      return;
    }
    const listening = listeningSchema.safeParse(m);
    if (listening.success) {
      if (!listening.data.data.streams.includes('trade_updates')) {
        this.lost('the server did not confirm the trade_updates stream');
        return;
      }
      const reconnect = this.everListening;
      this.everListening = true;
      this.isConnected = true;
      this.failures = 0;
      this.settleFirst();
      if (reconnect) for (const l of this.reconnectListeners) l();
      return;
    }
    const upd = tradeUpdateSchema.safeParse(m);
    if (upd.success) {
      const d = upd.data.data;
      this.o.listener({ event: d.event, order: toOrder(d.order), at: d.timestamp ?? this.o.clock.now() });
      return;
    }
    this.o.log?.('trade_updates: ignored a message of an unexpected shape');
  }

  /** The connection is gone: poll meanwhile, and reconnect after a jittered backoff. */
  private lost(why: string): void {
    const s = this.socket;
    this.socket = undefined;
    this.isConnected = false;
    s?.close();
    if (this.closed) return;
    this.failures += 1;
    const base = this.o.reconnectBaseMs ?? 500;
    const cap = this.o.reconnectMaxMs ?? 30_000;
    const delay = Math.round(this.o.random() * Math.min(cap, base * 2 ** (this.failures - 1)));
    this.o.log?.(`trade_updates: ${why}; reconnecting in ${delay} ms (polling meanwhile)`);
    this.settleFirst();
    void this.o.clock.sleep(delay).then(() => this.open());
  }
}
