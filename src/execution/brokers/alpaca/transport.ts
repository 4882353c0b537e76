import { AtlasError, TransientError } from '../../../core/errors.js';
import type { AlpacaKeys } from './config.js';
import { rawErrorSchema } from './schemas.js';

/**
 * The Alpaca trading client's HTTP layer: one `fetch` per attempt with a hard timeout, Alpaca's
 * auth headers, classification of every failure, and retries with exponential backoff for the
 * requests that are safe to repeat. Order submission does not use `request`'s retries; the broker
 * drives it attempt by attempt (see AlpacaBroker.submitOrder).
 *
 * Failure classes:
 * - TransientError (code ALPACA_TIMEOUT, ALPACA_NETWORK, ALPACA_RATE_LIMITED, ALPACA_SERVER_ERROR):
 *   timeouts, refused/reset/dropped connections, 429 (with retryAfterMs from Retry-After or
 *   X-RateLimit-Reset) and 5xx. For a POST these mean "outcome unknown".
 * - AlpacaAuthError (code ALPACA_AUTH): 401, or a 403 without an Alpaca error code.
 * - AlpacaApiError (code ALPACA_HTTP_<status>): any other non-2xx answer, with Alpaca's code and message.
 *
 * The secret and key id go only into request headers; every message is passed through `redact`
 * as a second line of defence, and the keys object itself is non-enumerable (see makeAlpacaKeys).
 */

export type Sleep = (ms: number) => Promise<void>;
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface AlpacaRetryPolicy {
  /** Retries after the first attempt for idempotent requests (GET, DELETE). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking to wait longer than this is waited for this long. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: AlpacaRetryPolicy = { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/** What the transport reports to an optional observer (never contains keys or bodies). */
export interface AlpacaEvent {
  kind: 'response' | 'failure' | 'retry' | 'submit-lookup' | 'submit-resubmit' | 'submit-duplicate';
  method: string;
  path: string;
  attempt: number;
  status?: number;
  delayMs?: number;
  message?: string;
}

export class AlpacaApiError extends AtlasError {
  readonly httpStatus: number;
  readonly alpacaCode: number | undefined;
  /** Alpaca's own message (redacted), e.g. "insufficient buying power". */
  readonly apiMessage: string;
  readonly method: string;
  readonly path: string;

  constructor(message: string, d: { httpStatus: number; alpacaCode: number | undefined; apiMessage: string; method: string; path: string; code?: string }) {
    super(message, { code: d.code ?? `ALPACA_HTTP_${d.httpStatus}` });
    this.name = 'AlpacaApiError';
    this.httpStatus = d.httpStatus;
    this.alpacaCode = d.alpacaCode;
    this.apiMessage = d.apiMessage;
    this.method = d.method;
    this.path = d.path;
  }
}

export class AlpacaAuthError extends AlpacaApiError {
  constructor(message: string, d: { httpStatus: number; alpacaCode: number | undefined; apiMessage: string; method: string; path: string }) {
    super(message, { ...d, code: 'ALPACA_AUTH' });
    this.name = 'AlpacaAuthError';
  }
}

export interface TransportOptions {
  baseUrl: string;
  keys: AlpacaKeys;
  timeoutMs: number;
  retry: AlpacaRetryPolicy;
  sleep: Sleep;
  now: () => number;
  fetch: FetchFn;
  onEvent?: (e: AlpacaEvent) => void;
}

export interface RequestSpec {
  query?: Record<string, string>;
  body?: unknown;
}

/** Seconds ("3") or an HTTP date; undefined when absent or unparsable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const t = header.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const at = Date.parse(t);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Alpaca's X-RateLimit-Reset is a Unix time in seconds. */
function parseRateLimitReset(header: string | null, now: number): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Math.max(0, Number(header.trim()) * 1000 - now);
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export class AlpacaTransport {
  readonly baseUrl: string;
  /** Replaces any key material in `text` with [redacted]. */
  readonly redact: (text: string) => string;
  private readonly opts: Omit<TransportOptions, 'keys'>;
  private readonly headers: () => Record<string, string>;

  constructor(opts: TransportOptions) {
    const { keys, ...rest } = opts;
    this.baseUrl = opts.baseUrl;
    this.opts = rest;
    const keyId = keys.keyId;
    const secret = keys.secretKey;
    const secrets = [secret, keyId].filter((s) => s.length >= 4);
    // Closures, not fields: util.inspect or JSON.stringify of the transport shows no key material.
    this.headers = () => ({ 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secret });
    this.redact = (text: string) => {
      let out = text;
      for (const s of secrets) out = out.split(s).join('[redacted]');
      return out;
    };
  }

  emit(e: AlpacaEvent): void {
    this.opts.onEvent?.({ ...e, ...(e.message === undefined ? {} : { message: this.redact(e.message) }) });
  }

  get retryPolicy(): AlpacaRetryPolicy {
    return this.opts.retry;
  }

  sleep(ms: number): Promise<void> {
    return this.opts.sleep(ms);
  }

  now(): number {
    return this.opts.now();
  }

  /** Backoff before retry number `retry` (1-based): exponential, capped, or the server's wait if given. */
  backoffMs(retry: number, retryAfterMs?: number): number {
    const p = this.opts.retry;
    if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), p.maxRetryAfterMs);
    return Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (retry - 1));
  }

  /**
   * Sends the request, retrying transient failures with backoff when `retry` is true (GET and
   * DELETE). Resolves to the parsed JSON body (undefined for an empty body).
   */
  async request(method: 'GET' | 'POST' | 'DELETE', path: string, spec: RequestSpec = {}, retry = method !== 'POST'): Promise<unknown> {
    const maxRetries = retry ? Math.max(0, this.opts.retry.maxRetries) : 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, path, spec, attempt);
      } catch (err) {
        if (!(err instanceof TransientError) || attempt > maxRetries) {
          if (err instanceof TransientError && maxRetries > 0) {
            throw new TransientError(this.redact(`Alpaca ${method} ${path} still failing after ${attempt} attempts: ${err.message}`), {
              code: err.code,
              ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
            });
          }
          throw err;
        }
        const delayMs = this.backoffMs(attempt, err.retryAfterMs);
        this.emit({ kind: 'retry', method, path, attempt, delayMs, message: err.message });
        await this.opts.sleep(delayMs);
      }
    }
  }

  /** Exactly one attempt. Throws TransientError, AlpacaAuthError or AlpacaApiError as described above. */
  async once(method: 'GET' | 'POST' | 'DELETE', path: string, spec: RequestSpec = {}, attempt = 1): Promise<unknown> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.opts.timeoutMs);
    const what = `${method} ${path}`;
    try {
      let res: Response;
      let text: string;
      try {
        const headers: Record<string, string> = { ...this.headers(), Accept: 'application/json' };
        const init: RequestInit = { method, headers, signal: controller.signal };
        if (spec.body !== undefined) {
          headers['Content-Type'] = 'application/json';
          init.body = JSON.stringify(spec.body);
        }
        res = await this.opts.fetch(url.toString(), init);
        text = await res.text();
      } catch (err) {
        if (timedOut) {
          this.emit({ kind: 'failure', method, path, attempt, message: 'timeout' });
          throw new TransientError(`Alpaca ${what} timed out after ${this.opts.timeoutMs} ms.`, { code: 'ALPACA_TIMEOUT' });
        }
        const code = causeCode(err) ?? 'connection error';
        this.emit({ kind: 'failure', method, path, attempt, message: code });
        throw new TransientError(this.redact(`Alpaca ${what} failed before an answer arrived (${code}).`), { code: 'ALPACA_NETWORK' });
      }
      this.emit({ kind: 'response', method, path, attempt, status: res.status });
      if (res.status >= 200 && res.status < 300) {
        if (text.trim() === '') return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new AtlasError(`Alpaca returned a body that is not JSON for ${what} (HTTP ${res.status}).`, { code: 'ALPACA_BAD_PAYLOAD' });
        }
      }
      throw this.httpError(method, path, res, text);
    } finally {
      clearTimeout(timer);
    }
  }

  private httpError(method: string, path: string, res: Response, text: string): Error {
    const what = `${method} ${path}`;
    let alpacaCode: number | undefined;
    let apiMessage = '';
    try {
      const parsed = rawErrorSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        alpacaCode = parsed.data.code;
        apiMessage = parsed.data.message;
      }
    } catch {
      apiMessage = '';
    }
    if (apiMessage === '') apiMessage = text.trim().slice(0, 200) || res.statusText || 'no message';
    apiMessage = this.redact(apiMessage.replace(/\s+/g, ' ').trim());
    const detail = `${apiMessage}${alpacaCode === undefined ? '' : ` (code ${alpacaCode})`}`;
    const status = res.status;
    const now = this.opts.now();
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now) ?? parseRateLimitReset(res.headers.get('x-ratelimit-reset'), now);
      return new TransientError(`Alpaca rate-limited ${what} (HTTP 429: ${detail}).`, {
        code: 'ALPACA_RATE_LIMITED',
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now);
      return new TransientError(`Alpaca had a server error on ${what} (HTTP ${status}: ${detail}).`, {
        code: 'ALPACA_SERVER_ERROR',
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    const d = { httpStatus: status, alpacaCode, apiMessage, method, path };
    if (status === 401 || (status === 403 && alpacaCode === undefined)) {
      const src = this.sourceHint;
      return new AlpacaAuthError(`Alpaca refused the API key on ${what} (HTTP ${status}: ${detail}); check that ${src} hold a valid paper key pair.`, d);
    }
    return new AlpacaApiError(`Alpaca answered ${what} with HTTP ${status}: ${detail}.`, d);
  }

  /** Set by the broker: which variables the keys came from, for auth error messages. */
  sourceHint = 'the configured key id and secret';
}
