import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionsBetween } from '../../src/calendar/nyse.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';
import { startStubServer, type RecordedRequest, type StubServer } from '../providers/support/stubServer.js';

const tmp = useTempDirs();
const KEY = 'tiingo-test-key-0123456789';

/**
 * A local Tiingo: /tiingo/daily/{ticker}/prices for AAA and BBB (XXX is unknown), with a
 * dividend for AAA on `dividendOn` when set (which moves every earlier adjusted close).
 */
function tiingo(state: { dividendOn?: string }) {
  return (req: RecordedRequest) => {
    if (req.headers.authorization !== `Token ${KEY}`) return { status: 401, json: { detail: 'Invalid token.' } };
    const m = /^\/tiingo\/daily\/([^/]+)\/prices$/.exec(req.path);
    const ticker = m?.[1] ?? '';
    if (ticker === 'xxx') return { status: 404, json: { detail: "Error: Ticker 'XXX' not found" } };
    const days = sessionsBetween(req.query.get('startDate')!, req.query.get('endDate')!);
    return {
      json: days.map((d, i) => {
        const close = 100 + i;
        const adjFactor = state.dividendOn && d < state.dividendOn ? 0.99 : 1;
        return {
          date: `${d}T00:00:00.000Z`, open: close, high: close + 1, low: close - 1, close, volume: 1000,
          adjOpen: close * adjFactor, adjHigh: (close + 1) * adjFactor, adjLow: (close - 1) * adjFactor, adjClose: close * adjFactor, adjVolume: 1000,
          divCash: d === state.dividendOn ? 1 : 0, splitFactor: 1,
        };
      }),
    };
  };
}

describe('atlas data sync (against a local Tiingo)', () => {
  let server: StubServer;
  const state: { dividendOn?: string } = {};
  beforeEach(async () => {
    delete state.dividendOn;
    server = await startStubServer(tiingo(state));
  });
  afterEach(async () => server.close());

  const sync = (dir: string, symbols: string, to: string, extra: string[] = []) =>
    atlasInProcess(['--data-dir', dir, 'data', 'sync', '--symbols', symbols, '--provider', 'tiingo', '--from', '2020-01-02', '--to', to, '--json', ...extra], {
      env: { TIINGO_API_KEY: KEY, ATLAS_TIINGO_URL: server.url, ATLAS_LOG_LEVEL: 'debug' },
    });

  it('fetches only what is missing; a rerun fetches nothing', async () => {
    const dir = tmp();
    const first = await sync(dir, 'AAA,BBB', '2020-01-31');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).results).toMatchObject([
      { symbol: 'AAA', status: 'fetched', newBars: 21 },
      { symbol: 'BBB', status: 'fetched', newBars: 21 },
    ]);
    const n = server.requests.length;
    const again = await sync(dir, 'AAA,BBB', '2020-01-31');
    expect(JSON.parse(again.stdout).results.map((r: { status: string }) => r.status)).toEqual(['up-to-date', 'up-to-date']);
    expect(server.requests.length).toBe(n);
    const more = await sync(dir, 'AAA', '2020-02-07');
    expect(JSON.parse(more.stdout).results[0]).toMatchObject({ status: 'fetched', newBars: 5, from: '2020-02-03', to: '2020-02-07' });
    // the incremental request starts at the last stored day (the overlap checks the adjustment basis)
    expect(server.requests.at(-1)!.query.get('startDate')).toBe('2020-01-31');
    expect(server.requests.some((r) => JSON.stringify(r).includes(KEY) && r.headers.authorization !== `Token ${KEY}`)).toBe(false);
  });

  it('keeps going past a bad symbol and reports it with a non-zero exit', async () => {
    const dir = tmp();
    const r = await sync(dir, 'AAA,XXX,BBB', '2020-01-10');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout).results;
    expect(out.map((x: { status: string }) => x.status)).toEqual(['fetched', 'failed', 'fetched']);
    expect(out[1].error).toMatch(/XXX/);
    expect(r.stderr + r.stdout).not.toContain(KEY);
    const list = JSON.parse((await atlasInProcess(['--data-dir', dir, 'data', 'list', '--json'])).stdout);
    expect(list.map((s: { symbol: string }) => s.symbol)).toEqual(['AAA', 'BBB']);
  });

  it('a dividend in the new bars re-downloads the whole adjusted history', async () => {
    const dir = tmp();
    await sync(dir, 'AAA', '2020-01-31');
    state.dividendOn = '2020-02-05';
    const r = await sync(dir, 'AAA', '2020-02-07');
    const res = JSON.parse(r.stdout).results[0];
    expect(res.status).toBe('redownloaded');
    expect(res.note).toMatch(/dividend/);
    const last = server.requests.at(-1)!;
    expect(last.query.get('startDate')).toBe('2020-01-02');
  });

  it('a rejected key names the variable and never prints the key', async () => {
    const dir = tmp();
    const r = await atlasInProcess(['--data-dir', dir, 'data', 'sync', '--symbols', 'AAA', '--provider', 'tiingo', '--from', '2020-01-02', '--to', '2020-01-10'], {
      env: { TIINGO_API_KEY: 'wrong-key-abcdefgh', ATLAS_TIINGO_URL: server.url },
    });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/TIINGO_API_KEY/);
    expect(r.stdout + r.stderr).not.toContain('wrong-key-abcdefgh');
  });

  it('a missing key names TIINGO_API_KEY', async () => {
    const dir = tmp();
    const r = await atlasInProcess(['--data-dir', dir, 'data', 'sync', '--symbols', 'AAA', '--provider', 'tiingo', '--from', '2020-01-02', '--to', '2020-01-10'], {
      env: { TIINGO_API_KEY: undefined, ATLAS_TIINGO_URL: server.url },
    });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/TIINGO_API_KEY/);
  });

  it('rejects an empty range in one sentence', async () => {
    const r = await sync(tmp(), 'AAA', '2019-01-01');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--to 2019-01-01 is before --from 2020-01-02/);
  });
});
