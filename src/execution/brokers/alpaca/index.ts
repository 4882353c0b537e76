export { AlpacaBroker, isDuplicateClientOrderId, toDecimalString, type AlpacaBrokerOptions } from './alpacaBroker.js';
export { accountRefusal, isCashAccount } from './accountChecks.js';
export {
  ALPACA_ACCOUNT_NAMES,
  ALPACA_DATA_URL,
  ALPACA_LIVE_HOST,
  ALPACA_PAPER_URL,
  alpacaStreamUrl,
  makeAlpacaKeys,
  resolveAlpacaBaseUrl,
  resolveAlpacaDataUrl,
  resolveAlpacaKeys,
  type AlpacaAccountName,
  type AlpacaKeys,
} from './config.js';
export { parseAlpacaTime, type TradingDay } from './schemas.js';
export type { SocketFactory, SocketHandlers, WebSocketLike } from './socket.js';
export { AlpacaTradeStream, type TradeStreamOptions } from './tradeStream.js';
export {
  AlpacaApiError,
  AlpacaAuthError,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type AlpacaEvent,
  type AlpacaRetryPolicy,
  type FetchFn,
  type Sleep,
} from './transport.js';
