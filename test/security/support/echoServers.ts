/**
 * Local servers (127.0.0.1) shaped like Tiingo, Yahoo, Alpaca market data and Alpaca trading
 * that put the request they received, headers and all, into their error bodies: the worst
 * case of a provider echoing a request back. Symbol AAA succeeds on the data servers, so sync
 * runs have a success and a failure in one invocation; everything else is an echoed error.
 */
import { sessionsBetween } from '../../../src/calendar/nyse.js';
import { startStubServer, type RecordedRequest, type StubReply, type StubServer } from '../../providers/support/stubServer.js';

/** Every echoed body starts with this, so a test can prove an echo reached the output. */
export const ECHO_MARKER = 'ECHOED-REQUEST';

export type EchoShape = 'tiingo' | 'yahoo' | 'alpaca-data' | 'alpaca-trading';

/** Key headers first: clients quote only the first 200 characters or so of an error body. */
const KEY_HEADERS = ['authorization', 'apca-api-key-id', 'apca-api-secret-key'];

function echoText(shape: EchoShape, req: RecordedRequest): string {
  const query = req.query.toString();
  const keys = KEY_HEADERS.filter((h) => req.headers[h] !== undefined).map((h) => `${h}: ${String(req.headers[h])}`);
  return `${ECHO_MARKER} ${shape} ${keys.join(', ') || 'no key headers'}; ${req.method} ${req.path}${query ? `?${query}` : ''} headers=${JSON.stringify(req.headers)} body=${req.body}`;
}

function days(from: string | null, to: string | null): string[] {
  const f = (from ?? '2024-01-02').slice(0, 10);
  const t = (to ?? '2024-01-31').slice(0, 10);
  return f <= t ? sessionsBetween(f, t) : [];
}

function tiingo(req: RecordedRequest): StubReply {
  const m = /^\/tiingo\/daily\/([^/]+)\/prices$/.exec(req.path);
  if (m?.[1] === 'aaa') {
    return {
      json: days(req.query.get('startDate'), req.query.get('endDate')).map((d, i) => ({
        date: `${d}T00:00:00.000Z`, open: 100 + i, high: 101 + i, low: 99 + i, close: 100 + i, volume: 1000,
        adjOpen: 100 + i, adjHigh: 101 + i, adjLow: 99 + i, adjClose: 100 + i, adjVolume: 1000, divCash: 0, splitFactor: 1,
      })),
    };
  }
  if (m?.[1] === 'deny') return { status: 401, json: { detail: echoText('tiingo', req) } };
  return { status: 400, json: { detail: echoText('tiingo', req) } };
}

function alpacaData(req: RecordedRequest): StubReply {
  const m = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(req.path);
  if (m?.[1] === 'AAA') {
    return {
      json: {
        symbol: 'AAA',
        next_page_token: null,
        bars: days(req.query.get('start'), req.query.get('end')).map((d, i) => ({ t: `${d}T05:00:00Z`, o: 100 + i, h: 101 + i, l: 99 + i, c: 100 + i, v: 1000 })),
      },
    };
  }
  // Alpaca's 400/422 bodies are {"code":..., "message":...}: the known leak echoed the headers here.
  return { status: 422, json: { code: 42210000, message: echoText('alpaca-data', req) } };
}

function alpacaTrading(req: RecordedRequest): StubReply {
  if (req.path === '/v2/positions') return { status: 403, json: { code: 40310000, message: echoText('alpaca-trading', req) } };
  if (req.path.startsWith('/v2/orders')) return { status: 404, json: { code: 40410000, message: echoText('alpaca-trading', req) } };
  return { status: 422, json: { code: 42210000, message: echoText('alpaca-trading', req) } };
}

const HANDLERS: Record<EchoShape, (req: RecordedRequest) => StubReply> = {
  tiingo,
  yahoo: (req) => ({ status: 400, json: { message: echoText('yahoo', req) } }),
  'alpaca-data': alpacaData,
  'alpaca-trading': alpacaTrading,
};

export function startEchoServer(shape: EchoShape): Promise<StubServer> {
  return startStubServer((req) => HANDLERS[shape](req));
}
