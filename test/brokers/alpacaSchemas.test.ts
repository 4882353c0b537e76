import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { AlpacaBroker, makeAlpacaKeys, parseAlpacaTime, toDecimalString } from '../../src/execution/brokers/alpaca/index.js';
import { decimal, parsePayload, rawOrderSchema, toOrder } from '../../src/execution/brokers/alpaca/schemas.js';
import { isTerminal } from '../../src/execution/brokers/broker.js';

const RAW_ORDER = {
  id: '61e69015-8549-4bfd-b9c3-01e75843f47d',
  client_order_id: 'eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4',
  created_at: '2021-03-16T18:38:01.942282Z',
  updated_at: '2021-03-16T18:38:01.942282Z',
  submitted_at: '2021-03-16T18:38:01.937734Z',
  filled_at: null,
  expired_at: null,
  canceled_at: null,
  failed_at: null,
  asset_id: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
  symbol: 'BRK.B',
  asset_class: 'us_equity',
  notional: null,
  qty: '10',
  filled_qty: '0',
  filled_avg_price: null,
  order_class: '',
  order_type: 'market',
  type: 'market',
  side: 'buy',
  time_in_force: 'day',
  limit_price: null,
  stop_price: null,
  status: 'accepted',
  extended_hours: false,
  legs: null,
};

describe('Alpaca payload mapping', () => {
  it('maps the documented order example (strings, nulls, BRK.B)', () => {
    const o = toOrder(parsePayload(rawOrderSchema, RAW_ORDER, 'test'));
    expect(o).toMatchObject({ symbol: 'BRK-B', qty: 10, filledQty: 0, filledAvgPrice: null, limitPrice: null, status: 'accepted', filledAt: null, canceledAt: null });
    expect(o.submittedAt.toISOString()).toBe('2021-03-16T18:38:01.937Z');
  });

  it('tolerates an order status Atlas does not list: working, with the broker\'s word kept', () => {
    const o = toOrder(parsePayload(rawOrderSchema, { ...RAW_ORDER, status: 'pending_review' }, 'x'));
    expect(o.status).toBe('pending_review');
    const u = toOrder(parsePayload(rawOrderSchema, { ...RAW_ORDER, status: 'teleported' }, 'x'));
    expect(u.status).toBe('unknown');
    expect(u.rawStatus).toBe('teleported');
    expect(isTerminal(u.status)).toBe(false);
  });

  it('rejects a payload whose numbers are not decimal strings, naming the field', () => {
    expect(() => parsePayload(rawOrderSchema, { ...RAW_ORDER, filled_qty: 'ten' }, 'GET /v2/orders/x')).toThrow(AtlasError);
    expect(() => parsePayload(rawOrderSchema, { ...RAW_ORDER, filled_qty: 'ten' }, 'GET /v2/orders/x')).toThrow(/GET \/v2\/orders\/x: filled_qty expected a decimal string/);
    expect(decimal.parse('-12.50')).toBe(-12.5);
    expect(decimal.parse(3)).toBe(3);
    expect(decimal.safeParse('').success).toBe(false);
    expect(decimal.safeParse('NaN').success).toBe(false);
  });

  it('parses Alpaca timestamps down to nanoseconds and any offset form', () => {
    expect(parseAlpacaTime('2026-11-24T10:00:00.123456789-05:00')?.toISOString()).toBe('2026-11-24T15:00:00.123Z');
    expect(parseAlpacaTime('2026-11-24T15:00:00Z')?.toISOString()).toBe('2026-11-24T15:00:00.000Z');
    expect(parseAlpacaTime('2026-11-24T15:00:00.5+0000')?.toISOString()).toBe('2026-11-24T15:00:00.500Z');
    expect(parseAlpacaTime('yesterday')).toBeUndefined();
  });

  it('formats decimals without exponents or float noise', () => {
    expect(toDecimalString(10, 9)).toBe('10');
    expect(toDecimalString(0.1 + 0.2, 9)).toBe('0.3');
    expect(toDecimalString(1e-7, 9)).toBe('0.0000001');
    expect(toDecimalString(187.5, 2)).toBe('187.5');
    expect(toDecimalString(100, 2)).toBe('100');
  });

  it('a malformed 200 answer is a clear AtlasError, not a crash', async () => {
    const broker = new AlpacaBroker({
      keys: makeAlpacaKeys('PKX1234', 'secret-xyz-1234'),
      baseUrl: 'http://127.0.0.1:9',
      allowLocal: true,
      fetch: async () => new Response(JSON.stringify({ id: 'a', cash: 'lots' }), { status: 200 }),
    });
    await expect(broker.getAccount()).rejects.toThrow(/unexpected payload for GET \/v2\/account/);
    const notJson = new AlpacaBroker({
      keys: makeAlpacaKeys('PKX1234', 'secret-xyz-1234'),
      baseUrl: 'http://127.0.0.1:9',
      allowLocal: true,
      fetch: async () => new Response('<html>gateway</html>', { status: 200 }),
    });
    await expect(notJson.getClock()).rejects.toThrow(/not JSON for GET \/v2\/clock/);
  });
});
