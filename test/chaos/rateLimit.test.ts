import { describe, expect, it } from 'vitest';
import { fortyOrders } from './scenarios.js';
import { addCounts } from './summary.js';

/**
 * d. A 40-order run through the CLI against the fake's 200 requests per simulated minute: orders
 * fill only after 150 list reads, so the run needs well over 200 requests and only the client's
 * pacing (X-RateLimit-Remaining / -Reset) keeps every minute at or under 200, without a 429.
 */
describe('rate limit (alpaca)', () => {
  it('40 orders, > 200 requests, <= 200 in every simulated minute, no 429', async () => {
    const r = await fortyOrders(150);
    expect(r.run.code, r.run.stderr.slice(-2000)).toBe(0);
    // Under a slow machine some of the 40 may still be working at the 120 s fill timeout; the
    // point here is the request rate, so either ending is fine as long as the run finished.
    expect(['completed', 'completed_with_issues']).toContain(r.run.outcome);
    expect(r.orders).toBe(40);
    expect(r.requests).toBeGreaterThan(200);
    expect(r.minutes).toBeGreaterThanOrEqual(2);
    expect(r.maxPerMinute).toBeLessThanOrEqual(200);
    expect(r.rateLimited).toBe(0);
    expect(r.duplicates).toEqual([]);
    process.stdout.write(`chaos rate: ${r.orders} orders, ${r.requests} requests over ${r.minutes} simulated minute(s), at most ${r.maxPerMinute} per minute, ${r.rateLimited} answered 429\n`);
    addCounts({ scenarios: 1, trials: 1, duplicates: r.duplicates.length });
  });
});
