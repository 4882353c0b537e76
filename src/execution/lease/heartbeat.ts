/**
 * @module Keeps a lease alive while its holder works: renews every `intervalMs` of the Clock's
 * time. `start()` runs a loop on `clock.sleep`; with a ManualClock (whose sleep moves time at
 * once) do not start the loop, call `beatIfDue()` from the run's own poll loop instead. A renewal
 * that finds the lease lost stops the heartbeat and reports the error: the run must stop.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import type { Lease } from './lease.js';

export interface HeartbeatOptions {
  clock: Clock;
  /** Default: a third of the lease's time to live. */
  intervalMs?: number;
  /** Called once when a renewal fails (LEASE_LOST or a store error). */
  onLost?: (err: unknown) => void;
}

export interface Heartbeat {
  /** Renews when at least intervalMs passed since the last beat; true when it renewed. */
  beatIfDue(): boolean;
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Stops the loop; resolves once it has exited. */
  stop(): Promise<void>;
  /** The error that stopped the heartbeat, if any. */
  readonly lost: unknown;
  readonly beats: number;
}

export function createHeartbeat(lease: Lease, opts: HeartbeatOptions): Heartbeat {
  const interval = opts.intervalMs ?? Math.max(1, Math.floor(lease.ttlMs / 3));
  let last = opts.clock.now().getTime();
  let lost: unknown;
  let beats = 0;
  let running: Promise<void> | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stopSignal = new Promise<void>((resolve) => (wake = resolve));

  const beat = (): boolean => {
    if (lost !== undefined || stopped) return false;
    try {
      lease.renew();
      beats++;
      last = opts.clock.now().getTime();
      return true;
    } catch (err) {
      lost = err;
      opts.onLost?.(err);
      return false;
    }
  };

  // On the real clock the wait is an unref'd timer cleared on stop, so a finished run's process
  // exits at once instead of lingering until the next beat.
  let timer: NodeJS.Timeout | undefined;
  const wait = (ms: number): Promise<void> => {
    if (opts.clock !== systemClock) return opts.clock.sleep(ms);
    return new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    });
  };

  const loop = async (): Promise<void> => {
    while (!stopped && lost === undefined) {
      await Promise.race([wait(interval), stopSignal]);
      if (stopped) break;
      beat();
      // Never starve the event loop, whatever the clock's sleep does.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  return {
    beatIfDue() {
      if (opts.clock.now().getTime() - last < interval) return false;
      return beat();
    },
    start() {
      running ??= loop();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      wake?.();
      await running;
    },
    get lost() {
      return lost;
    },
    get beats() {
      return beats;
    },
  };
}
