import { ManualClock, type Clock } from '../../src/core/clock.js';
import { mulberry32 } from '../../src/core/random.js';
import { AlpacaBroker, type AlpacaBrokerOptions, type AlpacaEvent } from '../../src/execution/brokers/alpaca/index.js';
import { makeAlpacaKeys } from '../../src/execution/brokers/alpaca/config.js';
import type { FakeAlpaca } from '../support/fakeAlpaca.js';

/**
 * A virtual clock: sleep() returns at once and moves time forward by the requested amount. Built
 * on a ManualClock; `brokerFor` shares the fake server's clock, so the client's waits move the
 * server's time too (rate-limit windows, the session).
 */
export class VirtualTime {
  readonly sleeps: number[] = [];
  readonly manual: ManualClock;

  constructor(manual?: ManualClock) {
    this.manual = manual ?? new ManualClock('2026-11-24T15:00:00Z');
  }

  get t(): number {
    return this.manual.now().getTime();
  }

  set t(v: number) {
    this.manual.set(v);
  }

  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.manual.advance(ms);
    await Promise.resolve();
  };
  /** The same time as the one Clock interface. */
  readonly clock: Clock = { now: () => new Date(this.t), sleep: (ms) => this.sleep(ms) };
}

export interface TestBroker {
  broker: AlpacaBroker;
  time: VirtualTime;
  events: AlpacaEvent[];
  /** Lines the broker logged for the operator. */
  logs: string[];
}

/** Seeded [0, 1) numbers (the project's mulberry32): jitter that is random-looking and repeatable. */
export const seededRandom = (seed: number): (() => number) => mulberry32(seed);

export function brokerFor(fake: FakeAlpaca, over: Partial<AlpacaBrokerOptions> = {}): TestBroker {
  const time = new VirtualTime(fake.clock instanceof ManualClock ? fake.clock : undefined);
  const events: AlpacaEvent[] = [];
  const logs: string[] = [];
  const broker = new AlpacaBroker({
    keys: makeAlpacaKeys(fake.keyId, fake.secretKey, { keyVar: 'ALPACA_LARGE_KEY', secretVar: 'ALPACA_LARGE_SECRET' }),
    baseUrl: fake.url,
    dataUrl: fake.url,
    allowLocal: true,
    timeoutMs: 2_000,
    clock: time.clock,
    random: seededRandom(42),
    onEvent: (e) => events.push(e),
    log: (m) => logs.push(m),
    ...over,
  });
  return { broker, time, events, logs };
}

let seq = 0;
/** A fresh client order id per call. */
export function cid(prefix = 'atlas-test'): string {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}`;
}
