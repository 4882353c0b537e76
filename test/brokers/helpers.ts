import { AlpacaBroker, type AlpacaBrokerOptions, type AlpacaEvent } from '../../src/execution/brokers/alpaca/index.js';
import { makeAlpacaKeys } from '../../src/execution/brokers/alpaca/config.js';
import type { FakeAlpaca } from '../support/fakeAlpaca.js';

/** A virtual clock: sleep() returns at once and moves time forward by the requested amount. */
export class VirtualTime {
  t = Date.parse('2026-11-24T15:00:00Z');
  readonly sleeps: number[] = [];
  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
    await Promise.resolve();
  };
}

export interface TestBroker {
  broker: AlpacaBroker;
  time: VirtualTime;
  events: AlpacaEvent[];
}

export function brokerFor(fake: FakeAlpaca, over: Partial<AlpacaBrokerOptions> = {}): TestBroker {
  const time = new VirtualTime();
  const events: AlpacaEvent[] = [];
  const broker = new AlpacaBroker({
    keys: makeAlpacaKeys(fake.keyId, fake.secretKey, { keyVar: 'ALPACA_LARGE_KEY', secretVar: 'ALPACA_LARGE_SECRET' }),
    baseUrl: fake.url,
    allowLocal: true,
    timeoutMs: 2_000,
    sleep: time.sleep,
    now: time.now,
    onEvent: (e) => events.push(e),
    ...over,
  });
  return { broker, time, events };
}

let seq = 0;
/** A fresh client order id per call. */
export function cid(prefix = 'atlas-test'): string {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}`;
}
