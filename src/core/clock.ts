/**
 * @module The one clock. Every component that reads the time or waits takes a `Clock`: the CLI
 * and `atlas run` pass `systemClock`; tests, the demo and `atlas replay` pass a `ManualClock`,
 * whose `sleep` moves simulated time forward instead of waiting (NautilusTrader's TestClock).
 */

export interface Clock {
  now(): Date;
  /** Resolves after `ms` of this clock's time (a manual clock advances itself and resolves at once). */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Simulated time: starts where it is told, moves only by `set`, `advance` or `sleep`. */
export class ManualClock implements Clock {
  private t: number;

  constructor(start: Date | string | number) {
    this.t = new Date(start).getTime();
    if (!Number.isFinite(this.t)) throw new RangeError(`ManualClock needs a valid start time, got ${String(start)}`);
  }

  now(): Date {
    return new Date(this.t);
  }

  set(at: Date | string | number): void {
    const next = new Date(at).getTime();
    if (!Number.isFinite(next)) throw new RangeError(`ManualClock.set needs a valid time, got ${String(at)}`);
    this.t = next;
  }

  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }

  sleep(ms: number): Promise<void> {
    this.advance(ms);
    return Promise.resolve();
  }
}
