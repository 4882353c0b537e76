import type { Clock } from '../../../core/clock.js';
import { AtlasError, TransientError } from '../../../core/errors.js';
import { redact } from '../../../core/redact.js';
import { HttpClient, parseRetryAfter, type HttpRequest, type HttpResponse } from '../../../data/providers/http.js';
import { RateLimitGovernor, waitAfterRateLimitMs } from '../../../data/providers/rateLimitHeaders.js';
import type { AlpacaKeys } from './config.js';
import { rawErrorSchema } from './schemas.js';

/**
 * @module The Alpaca clients' HTTP layer: Alpaca's auth headers and error classification on top
 * of the one retry layer (src/data/providers/http.ts). Idempotent requests (GET, DELETE) retry
 * transient failures with exponential backoff and full jitter; every answer's X-RateLimit-*
 * headers pace the next requests (rateLimitHeaders.ts), and a 429 waits until X-RateLimit-Reset
 * plus a 1 s buffer. Order submission does not retry here; the broker drives it attempt by
 * attempt (see AlpacaBroker.submitOrder).
 *
 * Failure classes:
 * - TransientError (code ALPACA_TIMEOUT, ALPACA_NETWORK, ALPACA_RATE_LIMITED, ALPACA_SERVER_ERROR):
 *   timeouts, refused/reset/dropped connections, 429 (retryAfterMs from X-RateLimit-Reset + 1 s,
 *   else Retry-After) and 5xx. For a POST these mean "outcome unknown".
 * - AlpacaAuthError (code ALPACA_AUTH): 401, or a 403 without an Alpaca error code.
 * - AlpacaApiError (code ALPACA_HTTP_<status>): any other non-2xx answer, with Alpaca's code and message.
 *
 * The secret and key id go only into request headers; every message is passed through the one
 * `redact` (src/core/redact.ts), and the keys object itself is non-enumerable (see makeAlpacaKeys).
 */

export type Sleep = (ms: number) => Promise<void>;
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface AlpacaRetryPolicy {
  /** Retries after the first attempt for idempotent requests (GET, DELETE). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking to wait longer than this is waited for this long. */
  maxRetryAfterMs: number;
  /** Added to the wait for X-RateLimit-Reset after a 429 and when pacing. */
  rateLimitBufferMs: number;
}

export const DEFAULT_RETRY_POLICY: AlpacaRetryPolicy = { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 65_000, rateLimitBufferMs: 1_000 };

/** What the transport reports to an optional observer (never contains keys or bodies). */
export interface AlpacaEvent {
  kind: 'response' | 'failure' | 'retry' | 'submit-lookup' | 'submit-resubmit' | 'submit-duplicate' | 'not-found-lookup' | 'unknown-status' | 'stream';
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
  clock: Clock;
  /** In [0, 1): the backoff jitter; inject a seeded one in tests. */
  random: () => number;
  fetch: FetchFn;
  /** Shared by every transport on one key pair (trading and data count against one budget). */
  governor?: RateLimitGovernor;
  onEvent?: (e: AlpacaEvent) => void;
  /** Names the client in messages, default 'Alpaca'. */
  label?: string;
}

export interface RequestSpec {
  query?: Record<string, string>;
  body?: unknown;
}

export { parseRetryAfter };

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What the transport needs to know about a request beyond the URL (carried through HttpRequest). */
interface AlpacaRequest extends HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  attemptNo: { n: number };
}

export class AlpacaTransport {
  readonly baseUrl: string;
  /** Replaces any key material in `text` with the one mask. */
  readonly redact: (text: string) => string;
  readonly governor: RateLimitGovernor;
  private readonly opts: Omit<TransportOptions, 'keys'>;
  private readonly headers: () => Record<string, string>;
  private readonly client: HttpClient;
  private readonly label: string;

  constructor(opts: TransportOptions) {
    const { keys, ...rest } = opts;
    this.baseUrl = opts.baseUrl;
    this.opts = rest;
    this.label = opts.label ?? 'Alpaca';
    const keyId = keys.keyId;
    const secret = keys.secretKey;
    const secrets = [secret, keyId].filter((s) => s.length >= 4);
    // Closures, not fields: util.inspect or JSON.stringify of the transport shows no key material.
    this.headers = () => ({ 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secret });
    this.redact = (text: string) => redact(text, secrets);
    this.governor = opts.governor ?? new RateLimitGovernor(opts.clock, { bufferMs: opts.retry.rateLimitBufferMs, maxWaitMs: opts.retry.maxRetryAfterMs });
    this.client = new HttpClient({
      provider: this.label,
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      random: opts.random,
      jitter: 'full',
      maxAttempts: opts.retry.maxRetries + 1,
      baseDelayMs: opts.retry.baseDelayMs,
      maxDelayMs: opts.retry.maxDelayMs,
      maxRetryAfterMs: opts.retry.maxRetryAfterMs,
      governor: this.governor,
      fetch: (input, init) => opts.fetch(String(input), init ?? {}),
      errorFor: (res, req) => this.httpError(req as AlpacaRequest, res),
      networkErrorFor: (err, timedOut, req) => this.networkError(req as AlpacaRequest, err, timedOut),
      onResponse: (res, req) => {
        const r = req as AlpacaRequest;
        this.emit({ kind: 'response', method: r.method, path: r.path, attempt: r.attemptNo.n, status: res.status });
      },
      onRetry: ({ attempt, delayMs, error }) => {
        // withRetry's attempt numbers match ours; method/path come from the error's request.
        const r = (error as TransientError & { request?: AlpacaRequest }).request;
        if (r) r.attemptNo.n = attempt + 1;
        this.emit({ kind: 'retry', method: r?.method ?? '?', path: r?.path ?? '?', attempt, delayMs, message: error.message });
      },
    });
  }

  emit(e: AlpacaEvent): void {
    this.opts.onEvent?.({ ...e, ...(e.message === undefined ? {} : { message: this.redact(e.message) }) });
  }

  get retryPolicy(): AlpacaRetryPolicy {
    return this.opts.retry;
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  sleep(ms: number): Promise<void> {
    return this.opts.clock.sleep(ms);
  }

  now(): number {
    return this.opts.clock.now().getTime();
  }

  /** Backoff before retry number `retry` (1-based): the server's wait if given, else exponential with full jitter. */
  backoffMs(retry: number, retryAfterMs?: number): number {
    const p = this.opts.retry;
    if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), p.maxRetryAfterMs);
    const step = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (retry - 1));
    return Math.round(this.opts.random() * step);
  }

  private build(method: 'GET' | 'POST' | 'DELETE', path: string, spec: RequestSpec): AlpacaRequest {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...this.headers(), Accept: 'application/json' };
    const req: AlpacaRequest = { url: url.toString(), method, path, headers, attemptNo: { n: 1 } };
    if (spec.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      req.body = JSON.stringify(spec.body);
    }
    return req;
  }

  private parse(req: AlpacaRequest, res: HttpResponse): unknown {
    if (res.text.trim() === '') return undefined;
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      throw new AtlasError(`${this.label} returned a body that is not JSON for ${req.method} ${req.path} (HTTP ${res.status}).`, { code: 'ALPACA_BAD_PAYLOAD' });
    }
  }

  /**
   * Sends the request, retrying transient failures with backoff when `retry` is true (GET and
   * DELETE). Resolves to the parsed JSON body (undefined for an empty body).
   */
  async request(method: 'GET' | 'POST' | 'DELETE', path: string, spec: RequestSpec = {}, retry = method !== 'POST'): Promise<unknown> {
    const req = this.build(method, path, spec);
    if (!retry || this.opts.retry.maxRetries <= 0) return this.parse(req, await this.client.once(req));
    try {
      return this.parse(req, await this.client.request({ ...req, retry: true }));
    } catch (err) {
      // withRetry's "still failed" error: restate it with the last failure's class and code.
      const last = err instanceof TransientError && err.cause instanceof TransientError ? err.cause : undefined;
      if (last) {
        const attempts = this.opts.retry.maxRetries + 1;
        throw new TransientError(this.redact(`${this.label} ${method} ${path} still failing after ${attempts} attempts: ${last.message}`), {
          code: last.code,
          ...(last.retryAfterMs === undefined ? {} : { retryAfterMs: last.retryAfterMs }),
        });
      }
      throw err;
    }
  }

  /** Exactly one attempt. Throws TransientError, AlpacaAuthError or AlpacaApiError as described above. */
  async once(method: 'GET' | 'POST' | 'DELETE', path: string, spec: RequestSpec = {}, attempt = 1): Promise<unknown> {
    const req = this.build(method, path, spec);
    req.attemptNo.n = attempt;
    return this.parse(req, await this.client.once(req));
  }

  private tag<E extends Error>(err: E, req: AlpacaRequest): E {
    Object.defineProperty(err, 'request', { value: req, enumerable: false });
    return err;
  }

  private networkError(req: AlpacaRequest, err: unknown, timedOut: boolean): Error {
    const { method, path } = req;
    const attempt = req.attemptNo.n;
    if (timedOut) {
      this.emit({ kind: 'failure', method, path, attempt, message: 'timeout' });
      return this.tag(new TransientError(`${this.label} ${method} ${path} timed out after ${this.opts.timeoutMs} ms.`, { code: 'ALPACA_TIMEOUT' }), req);
    }
    const code = causeCode(err) ?? 'connection error';
    this.emit({ kind: 'failure', method, path, attempt, message: code });
    return this.tag(new TransientError(this.redact(`${this.label} ${method} ${path} failed before an answer arrived (${code}).`), { code: 'ALPACA_NETWORK' }), req);
  }

  private httpError(req: AlpacaRequest, res: HttpResponse): Error {
    const { method, path } = req;
    const what = `${method} ${path}`;
    let alpacaCode: number | undefined;
    let apiMessage = '';
    try {
      const parsed = rawErrorSchema.safeParse(JSON.parse(res.text));
      if (parsed.success) {
        alpacaCode = parsed.data.code;
        apiMessage = parsed.data.message;
      }
    } catch {
      apiMessage = '';
    }
    if (apiMessage === '') apiMessage = res.text.trim().slice(0, 200) || 'no message';
    apiMessage = this.redact(apiMessage.replace(/\s+/g, ' ').trim());
    const detail = `${apiMessage}${alpacaCode === undefined ? '' : ` (code ${alpacaCode})`}`;
    const status = res.status;
    const now = this.now();
    if (status === 429) {
      const retryAfterMs = waitAfterRateLimitMs(res.headers, now, this.opts.retry.rateLimitBufferMs) ?? parseRetryAfter(res.headers.get('retry-after'), now);
      return this.tag(
        new TransientError(`${this.label} rate-limited ${what} (HTTP 429: ${detail}).`, {
          code: 'ALPACA_RATE_LIMITED',
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        }),
        req,
      );
    }
    if (status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now);
      return this.tag(
        new TransientError(`${this.label} had a server error on ${what} (HTTP ${status}: ${detail}).`, {
          code: 'ALPACA_SERVER_ERROR',
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        }),
        req,
      );
    }
    const d = { httpStatus: status, alpacaCode, apiMessage, method, path };
    if (status === 401 || (status === 403 && alpacaCode === undefined)) {
      const src = this.sourceHint;
      return new AlpacaAuthError(`${this.label} refused the API key on ${what} (HTTP ${status}: ${detail}); check that ${src} hold a valid paper key pair.`, d);
    }
    return new AlpacaApiError(`${this.label} answered ${what} with HTTP ${status}: ${detail}.`, d);
  }

  /** Set by the broker: which variables the keys came from, for auth error messages. */
  sourceHint = 'the configured key id and secret';
}
