import type { Clock } from '../../core/clock.js';

/**
 * @module Pacing from a server's rate-limit headers (X-RateLimit-Limit / -Remaining / -Reset, the
 * Reset a Unix time in seconds, as Alpaca sends them). The governor reads every answer and, when
 * few requests are left in the window, spreads the remaining ones evenly until the reset, so a
 * busy client slows down instead of running into a 429. After a 429 the wait is the time to the
 * reset plus a buffer (the server's window edge and ours never line up exactly).
 *
 * The reset is measured against the server's own Date header when it sends one, so a client
 * whose clock is skewed from the server's still waits the right amount.
 */

export interface RateLimitState {
  limit: number | undefined;
  remaining: number;
  /** Milliseconds from the server's "now" to the reset. */
  resetInMs: number;
}

function intHeader(headers: Headers, name: string): number | undefined {
  const v = headers.get(name);
  if (v === null || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v.trim());
}

/** Reads X-RateLimit-*; undefined unless both Remaining and Reset are present and numeric. */
export function parseRateLimitHeaders(headers: Headers, clientNowMs: number): RateLimitState | undefined {
  const remaining = intHeader(headers, 'x-ratelimit-remaining');
  const reset = intHeader(headers, 'x-ratelimit-reset');
  if (remaining === undefined || reset === undefined) return undefined;
  const serverDate = Date.parse(headers.get('date') ?? '');
  // The Date header has whole seconds, truncated: using it can only make the wait longer, never shorter.
  const serverNow = Number.isNaN(serverDate) ? clientNowMs : serverDate;
  return { limit: intHeader(headers, 'x-ratelimit-limit'), remaining, resetInMs: Math.max(0, reset * 1000 - serverNow) };
}

/** How long to wait after a 429: until X-RateLimit-Reset plus `bufferMs`; undefined without the header. */
export function waitAfterRateLimitMs(headers: Headers, clientNowMs: number, bufferMs: number): number | undefined {
  const s = parseRateLimitHeaders(headers, clientNowMs);
  if (s === undefined) {
    const reset = intHeader(headers, 'x-ratelimit-reset');
    if (reset === undefined) return undefined;
    return Math.max(0, reset * 1000 - clientNowMs) + bufferMs;
  }
  return s.resetInMs + bufferMs;
}

export interface RateLimitGovernorOptions {
  /** Start spreading requests when this many or fewer are left in the window (default 10% of the limit, at least 5). */
  lowWater?: number;
  /** Added to every wait for the reset (default 1 s). */
  bufferMs?: number;
  /** Never wait longer than this for one request (default 65 s: one window plus slack). */
  maxWaitMs?: number;
}

export class RateLimitGovernor {
  private remaining: number | undefined;
  private limit: number | undefined;
  /** Client-clock instant of the reset. */
  private resetAt = 0;
  private nextSlot = 0;
  readonly bufferMs: number;
  private readonly maxWaitMs: number;
  /** Total milliseconds this governor has made callers wait (for tests and reports). */
  waitedMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly opts: RateLimitGovernorOptions = {},
  ) {
    this.bufferMs = opts.bufferMs ?? 1_000;
    this.maxWaitMs = opts.maxWaitMs ?? 65_000;
  }

  private lowWater(): number {
    if (this.opts.lowWater !== undefined) return this.opts.lowWater;
    return Math.max(5, Math.floor((this.limit ?? 200) / 10));
  }

  /** Records what an answer said about the window. */
  observe(headers: Headers): void {
    const now = this.clock.now().getTime();
    const s = parseRateLimitHeaders(headers, now);
    if (s === undefined) return;
    this.limit = s.limit ?? this.limit;
    this.remaining = s.remaining;
    this.resetAt = now + s.resetInMs;
  }

  /** Resolves when the next request may go; reserves its slot synchronously so concurrent callers queue. */
  async acquire(): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.remaining === undefined) return;
    if (now >= this.resetAt + this.bufferMs) {
      // A new window: nothing is known about it until the next answer.
      this.remaining = undefined;
      this.nextSlot = 0;
      return;
    }
    let at = now;
    if (this.remaining <= 0) {
      at = this.resetAt + this.bufferMs;
      this.remaining = undefined;
      this.nextSlot = 0;
    } else if (this.remaining <= this.lowWater()) {
      at = Math.max(now, this.nextSlot);
      // What is left of the window, shared evenly by the requests still allowed in it.
      this.nextSlot = at + Math.max(0, this.resetAt + this.bufferMs - at) / this.remaining;
      this.remaining -= 1;
    } else {
      this.remaining -= 1;
    }
    const wait = Math.min(this.maxWaitMs, Math.max(0, Math.ceil(at - now)));
    if (wait > 0) {
      this.waitedMs += wait;
      await this.clock.sleep(wait);
    }
  }
}
