export { AlpacaBroker, isDuplicateClientOrderId, toDecimalString, type AlpacaBrokerOptions } from './alpacaBroker.js';
export {
  ALPACA_ACCOUNT_NAMES,
  ALPACA_LIVE_HOST,
  ALPACA_PAPER_URL,
  makeAlpacaKeys,
  resolveAlpacaBaseUrl,
  resolveAlpacaKeys,
  type AlpacaAccountName,
  type AlpacaKeys,
} from './config.js';
export { parseAlpacaTime, type TradingDay } from './schemas.js';
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
