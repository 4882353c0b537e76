import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { AlpacaBroker, makeAlpacaKeys, type SocketFactory, type SocketHandlers } from '../../src/execution/brokers/alpaca/index.js';
import { frameText } from '../../src/execution/brokers/alpaca/wsSocket.js';
import type { TradeUpdate } from '../../src/execution/brokers/broker.js';
import { seededRandom } from './helpers.js';

/**
 * The trade_updates stream against an in-memory websocket that plays Alpaca's side of the
 * protocol (auth -> authorization, listen -> listening, then trade_updates messages). The `ws`
 * package is not installed yet, so the network adapter is not exercised here; the protocol,
 * reconnects and onReconnect are.
 */

const KEY = 'PKSTREAMKEY0001';
const SECRET = 'stream-secret-xyz';

class ScriptedSocket {
  readonly sent: unknown[] = [];
  closedByClient = false;
  constructor(
    readonly url: string,
    readonly h: SocketHandlers,
    private readonly accept: boolean,
  ) {
    queueMicrotask(() => h.onOpen());
  }
  send(text: string): void {
    const m = JSON.parse(text) as { action: string; key?: string; secret?: string };
    this.sent.push(m);
    queueMicrotask(() => {
      if (m.action === 'auth') {
        const ok = this.accept && m.key === KEY && m.secret === SECRET;
        this.push({ stream: 'authorization', data: { status: ok ? 'authorized' : 'unauthorized', action: 'authenticate' } });
      } else if (m.action === 'listen') {
        this.push({ stream: 'listening', data: { streams: ['trade_updates'] } });
      }
    });
  }
  close(): void {
    this.closedByClient = true;
  }
  push(msg: unknown): void {
    this.h.onMessage(JSON.stringify(msg));
  }
  /** The server drops the connection. */
  drop(): void {
    this.h.onClose(1006, 'abnormal closure');
  }
}

function rig(accept = true) {
  const sockets: ScriptedSocket[] = [];
  const factory: SocketFactory = (url, h) => {
    const s = new ScriptedSocket(url, h, accept);
    sockets.push(s);
    return s;
  };
  const clock = new ManualClock('2026-11-24T15:00:00Z');
  const logs: string[] = [];
  const broker = new AlpacaBroker({
    keys: makeAlpacaKeys(KEY, SECRET),
    baseUrl: 'http://127.0.0.1:9',
    allowLocal: true,
    clock,
    random: seededRandom(1),
    socket: factory,
    log: (m) => logs.push(m),
  });
  return { broker, sockets, clock, logs };
}

const rawOrder = (status: string, filled: string) => ({
  id: 'ord-1',
  client_order_id: 'atlas-run-1-AAPL-buy',
  created_at: '2026-11-24T15:00:00.000000Z',
  submitted_at: '2026-11-24T15:00:00.000000Z',
  filled_at: status === 'filled' ? '2026-11-24T15:00:01.000000Z' : null,
  canceled_at: null,
  symbol: 'BRK.B',
  qty: '10',
  notional: null,
  filled_qty: filled,
  filled_avg_price: filled === '0' ? null : '450.5',
  type: 'market',
  side: 'buy',
  time_in_force: 'day',
  limit_price: null,
  status,
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('trade_updates stream', () => {
  it('authenticates, listens on the paper stream URL and delivers order events as domain objects', async () => {
    const { broker, sockets } = rig();
    const got: TradeUpdate[] = [];
    const stream = await broker.subscribeTradeUpdates((u) => got.push(u));
    expect(stream.connected).toBe(true);
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toBe('ws://127.0.0.1:9/stream');
    expect(sockets[0].sent).toEqual([
      { action: 'auth', key: KEY, secret: SECRET },
      { action: 'listen', data: { streams: ['trade_updates'] } },
    ]);
    sockets[0].push({ stream: 'trade_updates', data: { event: 'partial_fill', timestamp: '2026-11-24T15:00:00.5Z', order: rawOrder('partially_filled', '4') } });
    sockets[0].push({ stream: 'trade_updates', data: { event: 'fill', timestamp: '2026-11-24T15:00:01Z', order: rawOrder('filled', '10') } });
    expect(got.map((u) => [u.event, u.order.status, u.order.filledQty, u.order.symbol])).toEqual([
      ['partial_fill', 'partially_filled', 4, 'BRK-B'],
      ['fill', 'filled', 10, 'BRK-B'],
    ]);
    expect(got[1].at.toISOString()).toBe('2026-11-24T15:00:01.000Z');
    await stream.close();
  });

  it('a dropped connection reconnects, re-authenticates, and fires onReconnect so the caller reconciles', async () => {
    const { broker, sockets } = rig();
    const got: TradeUpdate[] = [];
    const stream = await broker.subscribeTradeUpdates((u) => got.push(u));
    let reconnects = 0;
    stream.onReconnect(() => (reconnects += 1));
    sockets[0].drop();
    expect(stream.connected).toBe(false); // the caller polls meanwhile
    await flush();
    expect(sockets).toHaveLength(2);
    expect(stream.connected).toBe(true);
    expect(reconnects).toBe(1);
    sockets[1].push({ stream: 'trade_updates', data: { event: 'fill', order: rawOrder('filled', '10') } });
    expect(got).toHaveLength(1);
    sockets[0].push({ stream: 'trade_updates', data: { event: 'fill', order: rawOrder('filled', '10') } });
    expect(got).toHaveLength(1); // the old socket is dead to the stream
    sockets[1].drop();
    await flush();
    expect(reconnects).toBe(2);
    await stream.close();
    expect(sockets[2].closedByClient).toBe(true);
  });

  it('an unknown order status in an event survives as a working order', async () => {
    const { broker, sockets } = rig();
    const got: TradeUpdate[] = [];
    const stream = await broker.subscribeTradeUpdates((u) => got.push(u));
    sockets[0].push({ stream: 'trade_updates', data: { event: 'pending_review', order: rawOrder('under_review_v2', '0') } });
    sockets[0].push({ stream: 'trade_updates', data: { event: 'bogus' } }); // malformed: ignored, not fatal
    sockets[0].h.onMessage('not json');
    expect(got.map((u) => [u.order.status, u.order.rawStatus])).toEqual([['unknown', 'under_review_v2']]);
    expect(stream.connected).toBe(true);
    await stream.close();
  });

  it('a refused key rejects the subscription and never reconnects', async () => {
    const { broker, sockets, logs } = rig(false);
    await expect(broker.subscribeTradeUpdates(() => undefined)).rejects.toMatchObject({ code: 'ALPACA_AUTH' });
    await flush();
    expect(sockets).toHaveLength(1);
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('close() stops reconnecting', async () => {
    const { broker, sockets } = rig();
    const stream = await broker.subscribeTradeUpdates(() => undefined);
    await stream.close();
    sockets[0].drop();
    await flush();
    expect(sockets).toHaveLength(1);
    expect(stream.connected).toBe(false);
  });

  it('decodes binary frames (Alpaca sends trade_updates as binary) and fragmented ones', () => {
    const json = '{"stream":"listening","data":{"streams":["trade_updates"]}}';
    expect(frameText(Buffer.from(json))).toBe(json);
    expect(frameText(new Uint8Array(Buffer.from(json)).buffer)).toBe(json);
    expect(frameText([Buffer.from(json.slice(0, 10)), Buffer.from(json.slice(10))])).toBe(json);
    expect(frameText(json)).toBe(json);
  });
});
