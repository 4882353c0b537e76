/**
 * @module The fake's rate limit: requests counted per simulated minute (fixed windows on the
 * minute), answered with Alpaca's X-RateLimit-Limit / -Remaining / -Reset headers (Reset in Unix
 * seconds) and a 429 once a minute's count passes the limit.
 */

export class RateWindow {
  readonly counts = new Map<number, number>();

  constructor(readonly limit: number) {}

  /** Counts one request at `now`; says whether it is over the limit and which headers to send. */
  hit(now: Date): { over: boolean; headers: Record<string, string> } {
    const minute = Math.floor(now.getTime() / 60_000) * 60_000;
    const n = (this.counts.get(minute) ?? 0) + 1;
    this.counts.set(minute, n);
    return {
      over: n > this.limit,
      headers: {
        'X-RateLimit-Limit': String(this.limit),
        'X-RateLimit-Remaining': String(Math.max(0, this.limit - n)),
        'X-RateLimit-Reset': String((minute + 60_000) / 1000),
      },
    };
  }
}
