import { afterEach, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../src/execution/brokers/alpaca/index.js';
import { createBroker, parseBrokerKind } from '../../src/execution/brokers/factory.js';
import { PaperBroker } from '../../src/execution/brokers/paper/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { startFakeAlpaca, type FakeAlpaca } from '../support/fakeAlpaca.js';
import { useTempDirs } from '../support/tmp.js';
import { seedStore } from './helpers.js';

const tmp = useTempDirs();
let fake: FakeAlpaca | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('createBroker', () => {
  it('builds the embedded paper broker without keys', async () => {
    const store = seedStore(tmp());
    const b = createBroker({ kind: 'paper', account: 'MID', db: store.db, bars: store.bars, env: {}, clock: new ManualClock('2024-01-13T18:00:00Z') });
    expect(b).toBeInstanceOf(PaperBroker);
    expect(b.name).toBe('paper-mid');
    expect((await b.getAccount()).cash).toBe(100_000);
    store.db.close();
  });

  it('alpaca: a missing key names the variable, never a value', () => {
    const store = seedStore(tmp());
    const base = { kind: 'alpaca' as const, db: store.db, bars: store.bars };
    expect(() => createBroker({ ...base, account: 'SMALL', env: {} })).toThrow(/ALPACA_SMALL_KEY and ALPACA_SMALL_SECRET/);
    expect(() => createBroker({ ...base, account: 'LARGE', env: { ALPACA_LARGE_KEY: 'PKTESTKEY123456' } })).toThrow(/ALPACA_LARGE_SECRET is not set/);
    expect(() => createBroker({ ...base, account: 'LARGE', env: { ALPACA_LARGE_KEY: 'PKTESTKEY123456', ALPACA_LARGE_SECRET: 'secretsecret', ATLAS_ALPACA_TRADING_URL: 'https://api.alpaca.markets' } }))
      .toThrow(/live/i);
    expect(() => parseBrokerKind('ibkr')).toThrow(/paper.*alpaca/);
    store.db.close();
  });

  it('alpaca: ATLAS_ALPACA_TRADING_URL points the client at a local test server', async () => {
    fake = await startFakeAlpaca({ now: new Date('2026-11-24T15:00:00Z'), cash: 12_345 });
    const store = seedStore(tmp());
    const b = createBroker({
      kind: 'alpaca', account: 'LARGE', db: store.db, bars: store.bars,
      env: { ALPACA_LARGE_KEY: fake.keyId, ALPACA_LARGE_SECRET: fake.secretKey, ATLAS_ALPACA_TRADING_URL: fake.url },
    });
    expect(b).toBeInstanceOf(AlpacaBroker);
    expect(b.name).toBe('alpaca-paper-large');
    expect((await b.getAccount()).cash).toBe(12_345);
    store.db.close();
  });
});
