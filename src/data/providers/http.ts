import type { Clock as CoreClock } from '../../core/clock.js';
import { chaosPoint } from '../../core/chaos.js';
import { AtlasError, TransientError } from '../../core/errors.js';
import { redact as scrub } from '../../core/redact.js';
import type { RateLimitGovernor } from './rateLimitHeaders.js';

/**
 * The one HTTP layer every provider (and the Alpaca trading client) goes through: a per-request
 * timeout, retries of transient failures with exponential backoff and jitter, a per-provider
 * rate limiter, optional pacing from X-RateLimit-* headers (rateLimitHeaders.ts), and the mapping
 * of HTTP statuses to one-sentence AtlasErrors (a client such as Alpaca's may map them itself).
 * Time, sleep and randomness are injectable so tests run instantly and deterministically.
 *
 * Secrets never reach an error message or a log line: messages never contain URLs with query
 * strings or headers, and every message is passed through `redact()` with the client's secrets.
 */

export type Sleep = (ms: number) => Promise<void>;
export type Clock = () => number;
export type Log = (msg: string) => void;

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_ATTEMPTS = 4;
export const DEFAULT_BASE_DELAY_MS = 500;
export const DEFAULT_MAX_DELAY_MS = 30_000;
/** A Retry-After longer than this is capped; a server asking for more is treated as asking for this. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Serialises requests so that consecutive ones start at least `minIntervalMs` apart. */
export class RateLimiter {
  private next = 0;

  constructor(
    readonly minIntervalMs: number,
    private readonly now: Clock = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {}

  /** Resolves when the caller may send; reserves the slot synchronously so concurrent callers queue. */
  async acquire(): Promise<void> {
    if (this.minIntervalMs <= 0) return;
    const t = this.now();
    const slot = Math.max(t, this.next);
    this.next = slot + this.minIntervalMs;
    if (slot > t) await this.sleep(slot - t);
  }
}

export interface RetryPolicy {
  maxAttempts?: number; // total attempts including the first, default 4
  baseDelayMs?: number; // default 500
  maxDelayMs?: number; // default 30 s
  maxRetryAfterMs?: number; // cap on a server's Retry-After, default 120 s
  sleep?: Sleep;
  random?: () => number; // in [0, 1)
  /**
   * 'equal' (default): half the exponential step fixed, half random. 'full': anywhere in
   * [0, step] (AWS's "full jitter"), which spreads many clients' retries best.
   */
  jitter?: 'equal' | 'full';
  log?: Log;
  /** Observer called before each retry's wait (no secrets: the message is the error's). */
  onRetry?: (info: { attempt: number; delayMs: number; error: TransientError }) => void;
}

/**
 * Backoff before retry number `retry` (1 = first retry): the exponential step base * 2^(retry-1)
 * capped at maxDelayMs, jittered: "equal" (default) is half fixed and half random, "full" is
 * random in [0, step].
 */
export function backoffDelay(retry: number, policy: RetryPolicy = {}): number {
  const base = policy.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const random = policy.random ?? Math.random;
  const step = Math.min(cap, base * 2 ** (retry - 1));
  if (policy.jitter === 'full') return Math.round(random() * step);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Runs `attempt` until it succeeds, throws a non-transient error, or maxAttempts is reached.
 * A TransientError with retryAfterMs waits exactly that long (capped); others back off.
 * When attempts run out, throws a TransientError naming `what` and the last failure.
 */
export async function withRetry<T>(what: string, attempt: (attemptNo: number) => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const sleep = policy.sleep ?? realSleep;
  const maxRetryAfter = policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  let last: TransientError | undefined;
  for (let n = 1; n <= maxAttempts; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      last = err;
      if (n === maxAttempts) break;
      const wait =
        err.retryAfterMs !== undefined ? Math.min(maxRetryAfter, Math.max(0, err.retryAfterMs)) : backoffDelay(n, policy);
      policy.log?.(`${what}: attempt ${n} of ${maxAttempts} failed (${stripPeriod(err.message)}); retrying in ${wait} ms`);
      policy.onRetry?.({ attempt: n, delayMs: wait, error: err });
      await sleep(wait);
    }
  }
  const lastMsg = last ? stripPeriod(last.message) : 'unknown failure';
  throw new TransientError(`${what} still failed after ${maxAttempts} attempts (last: ${lastMsg}); try again later.`, {
    cause: last,
    code: last?.code === 'TIMEOUT' ? 'TIMEOUT' : 'RETRIES_EXHAUSTED',
    retryAfterMs: last?.retryAfterMs,
  });
}

function stripPeriod(s: string): string {
  return s.replace(/[.\s]+$/, '');
}

/** Retry-After header (delta-seconds or HTTP-date) -> milliseconds from now; undefined if absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - nowMs);
}

/** The one redaction (core/redact.ts, mask [REDACTED]) with this client's secrets. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return scrub(text, secrets);
}

export interface StatusContext {
  provider: string; // display name, e.g. 'Tiingo'
  status: number;
  statusText?: string;
  symbol?: string; // canonical symbol, when the request is about one
  keyEnvNames?: readonly string[]; // e.g. ['TIINGO_API_KEY']
  detail?: string; // a short message extracted from the error body
  retryAfterMs?: number;
}

/** Formats ['A'] -> 'A', ['A','B'] -> 'A or B'. */
export function listEnvNames(names: readonly string[] | undefined): string {
  if (!names || names.length === 0) return 'the provider key environment variable';
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Is this HTTP status worth retrying? (408, 425, 429 and 5xx.) */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/** The one-sentence error for a non-2xx status. Transient statuses give a TransientError. */
export function errorForStatus(ctx: StatusContext): AtlasError {
  const { provider, status } = ctx;
  const st = `HTTP ${status}${ctx.statusText ? ` ${ctx.statusText}` : ''}`;
  // Scrub before truncating: a cut through the middle of a secret would leave a fragment no
  // later redaction can recognise (a server may echo the request headers in its error body).
  const detail = ctx.detail ? `: ${truncate(stripPeriod(scrub(ctx.detail)), 200)}` : '';
  if (status === 401 || status === 403) {
    return new AtlasError(
      `${provider} rejected the API key (${st}); set a valid key in ${listEnvNames(ctx.keyEnvNames)}.`,
      { code: 'AUTH_FAILED' },
    );
  }
  if (status === 404 && ctx.symbol !== undefined) {
    return new AtlasError(`${provider} does not know the symbol ${ctx.symbol} (${st}); check the ticker.`, {
      code: 'UNKNOWN_SYMBOL',
    });
  }
  if (status === 429) {
    return new TransientError(`${provider} is rate limiting requests (${st})`, {
      code: 'RATE_LIMITED',
      retryAfterMs: ctx.retryAfterMs,
    });
  }
  if (isTransientStatus(status)) {
    return new TransientError(`${provider} answered ${st}${detail}`, { code: 'PROVIDER_UNAVAILABLE', retryAfterMs: ctx.retryAfterMs });
  }
  if (status === 404) {
    return new AtlasError(`${provider} answered ${st}${detail}; the requested resource does not exist.`, { code: 'NOT_FOUND' });
  }
  return new AtlasError(`${provider} rejected the request (${st}${detail}).`, { code: 'HTTP_ERROR' });
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Pulls a human message out of a typical JSON error body ({detail}, {message}, {error}). */
export function extractErrorDetail(body: string): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  try {
    const j: unknown = JSON.parse(text);
    if (j && typeof j === 'object') {
      const o = j as Record<string, unknown>;
      for (const k of ['detail', 'message', 'error', 'description']) {
        const v = o[k];
        if (typeof v === 'string' && v) return v;
        if (v && typeof v === 'object') {
          const inner = (v as Record<string, unknown>).description ?? (v as Record<string, unknown>).message;
          if (typeof inner === 'string' && inner) return inner;
        }
      }
    }
    return undefined;
  } catch {
    return text.startsWith('<') ? undefined : text.split('\n')[0];
  }
}

/** Maps a thrown fetch failure (timeout, reset, refused...) to a TransientError. */
export function errorForNetworkFailure(provider: string, err: unknown, timeoutMs: number): TransientError {
  if (isTimeoutError(err)) {
    return new TransientError(`${provider} did not answer within ${timeoutMs} ms`, { code: 'TIMEOUT', cause: err });
  }
  const code = networkErrorCode(err);
  return new TransientError(`the connection to ${provider} failed (${code})`, { code: 'NETWORK', cause: err });
}

function isTimeoutError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError') return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && cause.name === 'TimeoutError';
}

function networkErrorCode(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    if (typeof e === 'object' && e !== null) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code) return code;
      e = (e as { cause?: unknown }).cause;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export interface HttpClientOptions extends RetryPolicy {
  provider: string; // display name used in messages, e.g. 'Tiingo'
  keyEnvNames?: readonly string[]; // named in 401/403 errors
  secrets?: readonly (string | undefined)[]; // redacted from every message
  timeoutMs?: number; // per attempt, default 15 s
  minIntervalMs?: number; // rate limit, default 0 (off)
  rateLimiter?: RateLimiter; // share one limiter between clients of the same provider
  fetch?: typeof fetch;
  now?: Clock;
  /** The one clock (src/core/clock.ts); when given it replaces `now` and `sleep`. */
  clock?: CoreClock;
  /** Paces requests from X-RateLimit-* headers; share one per account/key. */
  governor?: RateLimitGovernor;
  /** Maps a non-2xx answer to the error to throw (default: errorForStatus). Return a TransientError to retry. */
  errorFor?: (res: HttpResponse, req: HttpRequest) => Error;
  /** Maps a request that got no answer (timedOut says whether our timeout fired) to the error to throw. */
  networkErrorFor?: (err: unknown, timedOut: boolean, req: HttpRequest) => Error;
  /** Observer for every answer received (status and headers; never the body). */
  onResponse?: (res: { status: number; headers: Headers }, req: HttpRequest) => void;
}

/** What a provider lets its caller tune: everything but identity and secrets. */
export type HttpTuning = Omit<HttpClientOptions, 'provider' | 'keyEnvNames' | 'secrets' | 'errorFor' | 'networkErrorFor' | 'onResponse'>;

export interface HttpRequest {
  url: string | URL;
  method?: string; // default GET
  headers?: Record<string, string>;
  body?: string;
  /** Canonical symbol the request is about; turns a 404 into UNKNOWN_SYMBOL. */
  symbol?: string;
  /**
   * Retry transient failures? Default: yes for GET/HEAD/PUT/DELETE/OPTIONS. For POST/PATCH only
   * 429 is retried (the server refused before acting); a timeout or 5xx after a POST may have
   * been acted on, so it is surfaced instead of repeated.
   */
  retry?: boolean;
  /** Statuses (besides 2xx) handed back to the caller instead of thrown, e.g. [404] or [422]. */
  passStatuses?: readonly number[];
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export class HttpClient {
  readonly provider: string;
  readonly timeoutMs: number;
  private readonly opts: HttpClientOptions;
  private readonly limiter: RateLimiter;
  private readonly fetchImpl: typeof fetch;
  private readonly now: Clock;

  constructor(opts: HttpClientOptions) {
    const clock = opts.clock;
    this.opts = clock ? { ...opts, now: () => clock.now().getTime(), sleep: (ms) => clock.sleep(ms) } : opts;
    this.provider = opts.provider;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = this.opts.now ?? Date.now;
    this.limiter = opts.rateLimiter ?? new RateLimiter(opts.minIntervalMs ?? 0, this.now, this.opts.sleep ?? realSleep);
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
  }

  /**
   * Exactly one attempt, no retry: a failure comes back as the error the mapping gives (for a
   * caller that decides itself what to repeat, such as an order submission).
   */
  async once(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.attempt(req, (req.method ?? 'GET').toUpperCase());
    } catch (err) {
      throw this.sanitize(err);
    }
  }

  /** Any status in 2xx (or in passStatuses) comes back; others throw AtlasError / TransientError. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const retryAll = req.retry ?? IDEMPOTENT.has(method);
    const what = req.symbol ? `${this.provider} request for ${req.symbol}` : `${this.provider} request`;
    try {
      return await withRetry(
        what,
        async () => {
          try {
            return await this.attempt(req, method);
          } catch (err) {
            // A non-idempotent request retries only a 429; other transient failures surface as is.
            if (!retryAll && err instanceof TransientError && err.code !== 'RATE_LIMITED') {
              throw new AtlasError(`${err.message}; the ${method} was not repeated because it may have taken effect.`, {
                code: err.code,
                cause: err,
              });
            }
            throw err;
          }
        },
        { ...this.opts, log: this.opts.log ? (m) => this.opts.log?.(this.redact(m)) : undefined },
      );
    } catch (err) {
      throw this.sanitize(err);
    }
  }

  /** request() + JSON.parse; malformed JSON is an AtlasError (code MALFORMED_RESPONSE). */
  async requestJson(req: HttpRequest): Promise<unknown> {
    const res = await this.request(req);
    return this.parseJson(res.text, req.symbol);
  }

  parseJson(text: string, symbol?: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw malformed(this.provider, symbol, 'the response was not valid JSON', err);
    }
  }

  private async attempt(req: HttpRequest, method: string): Promise<HttpResponse> {
    await this.limiter.acquire();
    if (this.opts.governor) await this.opts.governor.acquire();
    let res: Response;
    let text: string;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      res = await this.fetchImpl(req.url, { method, headers: req.headers, body: req.body, signal });
      text = await res.text();
    } catch (err) {
      if (this.opts.networkErrorFor) throw this.opts.networkErrorFor(err, signal.aborted, req);
      throw errorForNetworkFailure(this.provider, err, this.timeoutMs);
    }
    // Killed here: the server acted on the request, the client never used the answer.
    chaosPoint('http', `${method} ${pathOf(req.url)} ${res.status}`);
    this.opts.governor?.observe(res.headers);
    this.opts.onResponse?.({ status: res.status, headers: res.headers }, req);
    if ((res.status >= 200 && res.status < 300) || req.passStatuses?.includes(res.status)) {
      return { status: res.status, headers: res.headers, text };
    }
    if (this.opts.errorFor) throw this.opts.errorFor({ status: res.status, headers: res.headers, text }, req);
    throw errorForStatus({
      provider: this.provider,
      status: res.status,
      statusText: res.statusText,
      symbol: req.symbol,
      keyEnvNames: this.opts.keyEnvNames,
      detail: extractErrorDetail(this.redact(text)),
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.now()),
    });
  }

  redact(text: string): string {
    return redact(text, this.opts.secrets ?? []);
  }

  /** Re-creates an error with secrets removed from its message (same class and code). */
  private sanitize(err: unknown): unknown {
    if (!(err instanceof AtlasError)) return err;
    const msg = this.redact(err.message);
    if (msg === err.message) return err;
    if (err instanceof TransientError) return new TransientError(msg, { code: err.code, retryAfterMs: err.retryAfterMs });
    return new AtlasError(msg, { code: err.code, exitCode: err.exitCode });
  }
}

/** The path of a URL without its query (which may carry a key), for the crash-test trace. */
function pathOf(url: string | URL): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '?';
  }
}

/** The "provider returned malformed data" error. */
export function malformed(provider: string, symbol: string | undefined, why: string, cause?: unknown): AtlasError {
  return new AtlasError(`${provider} returned malformed data${symbol ? ` for ${symbol}` : ''} (${why}).`, {
    code: 'MALFORMED_RESPONSE',
    cause,
  });
}
