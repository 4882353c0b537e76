/**
 * The secrets canary suite. Every key variable holds a unique canary value; local servers echo
 * each request (headers included) into their error bodies; every command runs, succeeding and
 * failing, at ATLAS_LOG_LEVEL=debug. Then all output, every file in the data directory and
 * every file written for the user is searched for the canaries: zero hits. The suite also
 * proves that it could fail: the servers received the canaries, and echoed bodies reached
 * the output (masked).
 *
 * Most commands run in-process through `main` (the real command parser, fast); a few run the
 * real binary (dist/, fresh process: registration at start is tested there too).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { clearRegisteredSecrets, REDACTED } from '../../src/core/redact.js';
import { runAtlas } from '../support/cli.js';
import { startFakeAlpaca, type FakeAlpaca } from '../support/fakeAlpaca.js';
import type { StubServer } from '../providers/support/stubServer.js';
import { ECHO_MARKER, startEchoServer } from './support/echoServers.js';

/** Lower case with dashes: no credential-shaped pattern matches them, only the registry can. */
const CANARIES = {
  TIINGO_API_KEY: 'cnry-tiingo-5b1e9d27c4a8',
  APCA_API_KEY_ID: 'cnry-apcaid-0f6e2b94d1c3',
  APCA_API_SECRET_KEY: 'cnry-apcasecret-8c2d7a41e95f',
  ALPACA_LARGE_KEY: 'cnry-largekey-71c0e4b9a2d6',
  ALPACA_LARGE_SECRET: 'cnry-largesecret-3e8f1a6c0b57',
  ALPACA_MID_KEY: 'cnry-midkey-9a4c2e7f10b8',
  ALPACA_MID_SECRET: 'cnry-midsecret-6d0b8e3a95c1',
  ALPACA_SMALL_KEY: 'cnry-smallkey-2f7a9c4e61d0',
  ALPACA_SMALL_SECRET: 'cnry-smallsecret-b5e1d8c0a379',
  ATLAS_SMTP_PASSWORD: 'cnry-smtppassword-4c9e0a7b2d61',
} as const;
/** Every canary starts with this: a fragment of one (a secret cut by truncation) is a hit too. */
const CANARY_TAG = 'cnry-';

interface Run {
  how: 'in-process' | 'binary';
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

const runs: Run[] = [];
let root = '';
let dataDir = '';
let outDir = '';
const servers: Record<'tiingo' | 'yahoo' | 'alpacaData' | 'alpacaTrading', StubServer | undefined> = { tiingo: undefined, yahoo: undefined, alpacaData: undefined, alpacaTrading: undefined };
let fake: FakeAlpaca | undefined;

function baseEnv(): Record<string, string> {
  return {
    ...CANARIES,
    ATLAS_LOG_LEVEL: 'debug',
    ATLAS_TIINGO_URL: servers.tiingo!.url,
    ATLAS_YAHOO_URL: servers.yahoo!.url,
    ATLAS_ALPACA_DATA_URL: servers.alpacaData!.url,
    ATLAS_ALPACA_TRADING_URL: servers.alpacaTrading!.url,
  };
}

/** One CLI invocation in this process, with `env` as the key variables (undefined = unset). */
async function atlas(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  clearRegisteredSecrets(); // every run registers its own secrets, as a fresh process would
  const saved = { ...process.env };
  for (const [k, v] of Object.entries({ ...baseEnv(), ...env })) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Output = { out: (t) => stdout.push(t), note: (t) => stderr.push(t), isTTY: false };
  let code: number | null;
  try {
    code = await main(['node', 'atlas', '--data-dir', dataDir, ...args], io);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  const run: Run = { how: 'in-process', args, code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  runs.push(run);
  return run;
}

async function binary(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const r = await runAtlas(['--data-dir', dataDir, ...args], { env: { ...baseEnv(), ...env } });
  const run: Run = { how: 'binary', args, ...r };
  runs.push(run);
  return run;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Where a canary (or a fragment of one) occurs, as "what: canary" lines. */
function hits(what: string, content: Buffer | string): string[] {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const found = Object.entries(CANARIES).filter(([, v]) => buf.includes(v)).map(([k]) => `${what}: ${k}`);
  if (found.length === 0 && buf.includes(CANARY_TAG)) found.push(`${what}: a fragment of a canary`);
  return found;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'atlas-canary-'));
  dataDir = join(root, 'data');
  outDir = join(root, 'out');
  mkdirSync(outDir);
  servers.tiingo = await startEchoServer('tiingo');
  servers.yahoo = await startEchoServer('yahoo');
  servers.alpacaData = await startEchoServer('alpaca-data');
  servers.alpacaTrading = await startEchoServer('alpaca-trading');
  fake = await startFakeAlpaca({ keyId: CANARIES.ALPACA_LARGE_KEY, secretKey: CANARIES.ALPACA_LARGE_SECRET, now: () => new Date() });
}, 60_000);

afterAll(async () => {
  for (const s of Object.values(servers)) await s?.close();
  await fake?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('secrets canary: every command, all output, every file', () => {
  it('runs the demo and the data commands (import, sync on every provider, list, check)', async () => {
    expect((await atlas(['demo'])).code).toBe(0);
    const csv = join(outDir, 'csv');
    mkdirSync(csv);
    writeFileSync(join(csv, 'ZZZ.csv'), 'Date,Open,High,Low,Close\n2024-01-02,10,11,9,10.5\n2024-01-03,10,9,11,10\n2099-01-02,10,11,9,10\n');
    await atlas(['data', 'import', csv]);
    await atlas(['data', 'import', csv, '--json']);
    await atlas(['data', 'import', join(root, 'missing-folder')]);
    const sync = ['data', 'sync', '--symbols', 'AAA,BAD,DENY', '--from', '2024-01-02', '--to', '2024-01-31'];
    const tiingo = await atlas([...sync, '--provider', 'tiingo']);
    expect(tiingo.code).toBe(1); // BAD and DENY fail, AAA is fetched
    await atlas([...sync, '--provider', 'tiingo', '--json']);
    await atlas([...sync, '--provider', 'yahoo']);
    await atlas([...sync, '--provider', 'auto', '--json']);
    await atlas([...sync, '--provider', 'alpaca']); // ALPACA_LARGE_* pair
    await atlas([...sync, '--provider', 'alpaca', '--json'], { ALPACA_LARGE_KEY: undefined, ALPACA_LARGE_SECRET: undefined }); // APCA_* pair
    await atlas(['data', 'sync', '--symbols', 'AAA', '--provider', 'tiingo'], { TIINGO_API_KEY: 'cnry-has space-tiingo-key' }); // malformed: ENV_INVALID
    await atlas(['data', 'list']);
    await atlas(['data', 'list', '--json']);
    await atlas(['data', 'check', '--symbols', 'SPY,VIX,AAA']);
    await atlas(['data', 'check', '--symbols', 'NOPE', '--json']);
    await atlas(['data', 'demo', '--json']);
  }, 300_000);

  it('runs regime, scan, backtest with its report and exports, and sweep', async () => {
    await atlas(['regime']);
    await atlas(['regime', '--as-of', '2020-03-16', '--json']);
    await atlas(['regime', 'history', '--from', '2020-03-02', '--to', '2020-03-31', '--csv', join(outDir, 'regime.csv'), '--json']);
    await atlas(['regime', 'validate', '--from', '2020-03-01', '--to', '2020-03-31']);
    await atlas(['regime', 'evaluate', '--from', '2015-01-01', '--to', '2020-12-31']);
    await atlas(['regime', '--regime-params', '{not json']);
    await atlas(['scan', '--universe', 'technology', '--top-n', '5']);
    await atlas(['scan', '--universe', 'technology', '--json', '--as-of', '1900-01-01']);
    await atlas(['scan', '--universe', 'no-such-universe']);
    const bt = await atlas(['backtest', '--universe', 'technology', '--top-n', '5', '--from', '2015-01-01', '--to', '2018-12-31',
      '--report', join(outDir, 'report.html'), '--trades', join(outDir, 'trades.csv'), '--regime-csv', join(outDir, 'regimes.csv')]);
    expect(bt.code, bt.stderr).toBe(0);
    await atlas(['backtest', '--universe', 'technology', '--top-n', '5', '--from', '2015-01-01', '--to', '2016-12-31', '--regime', 'off', '--json', '--gate', 'sharpe>=9']);
    await atlas(['backtest', '--universe', 'technology', '--from', '2019-01-01', '--to', '2018-01-01']);
    const grid = join(outDir, 'grid.json');
    writeFileSync(grid, JSON.stringify({ topN: [3, 5], minDistance: [0.9], rebalance: ['semiannual'], regimeMode: ['off', 'rebalance'] }));
    // In-process too: the sweep's worker threads load dist/ (ATLAS_THREADS_FROM_DIST, vitest.config.ts).
    await atlas(['sweep', '--universe', 'technology', '--grid', grid, '--from', '2016-01-01', '--to', '2018-12-31', '--workers', '1', '--csv', join(outDir, 'sweep.csv')]);
    await atlas(['sweep', '--universe', 'technology', '--grid', join(outDir, 'no-grid.json')]);
  }, 300_000);

  it('runs account, positions, orders, paper and rebalance on the paper broker and on Alpaca (fake and echoing)', async () => {
    const onFake = { ATLAS_ALPACA_TRADING_URL: fake!.url };
    for (const cmd of ['account', 'positions', 'orders']) {
      await atlas([cmd]);
      await atlas([cmd, '--json', '--account', 'MID']);
      await atlas([cmd, '--broker', 'alpaca', '--account', 'LARGE'], onFake);
      await atlas([cmd, '--broker', 'alpaca', '--account', 'LARGE', '--json']);
      await atlas([cmd, '--broker', 'alpaca', '--account', 'MID']);
      await atlas([cmd, '--broker', 'alpaca', '--account', 'SMALL', '--json']);
    }
    await atlas(['orders', '--status', 'all', '--limit', '5']);
    await atlas(['account', '--broker', 'alpaca', '--account', 'LARGE'], { ALPACA_LARGE_KEY: undefined, ALPACA_LARGE_SECRET: undefined }); // APCA_* pair
    await atlas(['account', '--broker', 'alpaca', '--account', 'SMALL'], { ALPACA_SMALL_SECRET: undefined }); // incomplete pair
    await atlas(['paper', 'reset', '--cash', '50000', '--account', 'CANARY', '--yes']);
    await atlas(['paper', 'drills', '--account', 'CANARY', '--partial', '0.5', '--json']);
    await atlas(['paper', 'reset', '--cash', '1000', '--account', 'CANARY']); // refused: no --yes
    const rb = ['rebalance', '--universe', 'technology', '--top-n', '3', '--force', '--fill-timeout', '2', '--poll-interval', '0.05'];
    await atlas([...rb, '--dry-run']);
    await atlas([...rb, '--dry-run', '--json', '--regime', 'TREND_NEUTRAL']);
    await atlas([...rb, '--account', 'CANARY', '--yes']);
    await atlas([...rb, '--dry-run', '--broker', 'alpaca', '--account', 'LARGE'], onFake);
    await atlas([...rb, '--broker', 'alpaca', '--account', 'LARGE', '--yes'], onFake);
    await atlas([...rb, '--dry-run', '--broker', 'alpaca', '--account', 'MID']);
    await atlas([...rb, '--broker', 'alpaca', '--account', 'SMALL', '--yes', '--json']);
    await atlas(['rebalance', '--resume', '20990101-deadbeef']);
    await atlas(['log']);
    await atlas(['log', '--json', '--last', '200']);
    await atlas(['log', '--run', '20990101-deadbeef']);
    await atlas(['--help']);
    await atlas(['data', 'sync', '--help']);
    await atlas(['no-such-command']);
    await atlas(['--version']);
  }, 300_000);

  it('runs the real binary for the known leak (alpaca sync echoing the request) and an echoing Alpaca account', async () => {
    // Three processes at once: each is a fresh start-up, and none depends on another's output.
    const [sync] = await Promise.all([
      binary(['data', 'sync', '--symbols', 'AAA,BAD', '--provider', 'alpaca', '--from', '2024-01-02', '--to', '2024-01-31']),
      binary(['account', '--broker', 'alpaca', '--account', 'MID', '--json']),
      binary(['rebalance', '--universe', 'technology', '--top-n', '3', '--dry-run', '--force', '--broker', 'alpaca', '--account', 'SMALL']),
    ]);
    expect(sync.code).toBe(1);
    expect(sync.stdout + sync.stderr).toContain(ECHO_MARKER);
  }, 120_000);

  it('found no canary in any output, any data file or any file written for the user', () => {
    if (process.env.CANARY_DUMP) writeFileSync(process.env.CANARY_DUMP, JSON.stringify({ runs, files: [...filesUnder(dataDir), ...filesUnder(outDir)] }, null, 1));
    expect(runs.length).toBeGreaterThan(60);
    const found: string[] = [];
    for (const r of runs) found.push(...hits(`${r.how} atlas ${r.args.join(' ')} (stdout)`, r.stdout), ...hits(`${r.how} atlas ${r.args.join(' ')} (stderr)`, r.stderr));
    const files = [...filesUnder(dataDir), ...filesUnder(outDir)];
    for (const f of files) found.push(...hits(f, readFileSync(f)));
    expect(found).toEqual([]);
    // the files searched include the store, the audit trail and every user file
    const names = files.map((f) => f.slice(root.length));
    for (const want of ['atlas.sqlite', 'execution_log.csv', 'demo-backtest.html', 'report.html', 'trades.csv', 'regimes.csv', 'regime.csv', 'sweep.csv']) {
      expect(names.some((n) => n.endsWith(want)), want).toBe(true);
    }
  });

  it('could have failed: the servers received the canaries, and their echoes reached the output masked', () => {
    const received = (s: StubServer | undefined) => JSON.stringify(s!.requests.map((r) => r.headers));
    expect(received(servers.tiingo)).toContain(CANARIES.TIINGO_API_KEY);
    expect(received(servers.alpacaData)).toContain(CANARIES.ALPACA_LARGE_SECRET);
    expect(received(servers.alpacaData)).toContain(CANARIES.APCA_API_SECRET_KEY);
    for (const v of [CANARIES.ALPACA_MID_SECRET, CANARIES.ALPACA_SMALL_SECRET, CANARIES.APCA_API_KEY_ID]) expect(received(servers.alpacaTrading)).toContain(v);
    expect(fake!.requests.some((r) => r.keyId === CANARIES.ALPACA_LARGE_KEY && r.secretOk)).toBe(true);
    const all = runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
    for (const shape of ['tiingo', 'yahoo', 'alpaca-data', 'alpaca-trading']) {
      expect(all, `an echo from the ${shape} server reached the output`).toContain(`${ECHO_MARKER} ${shape}`);
    }
    // the echoed key headers are in the output, with the mask where the values were
    for (const shape of ['tiingo', 'alpaca-data', 'alpaca-trading']) {
      expect(all).toContain(`${ECHO_MARKER} ${shape} ${shape === 'tiingo' ? 'authorization' : 'apca-api-key-id'}: ${REDACTED}`);
    }
    expect(all).toContain(`apca-api-secret-key: ${REDACTED}`);
    // and so did the structured log lines (ATLAS_LOG_LEVEL=debug), with the echoed errors in their fields
    expect(all).toMatch(/\{"level":30,.*"error":"Alpaca rejected the request \(HTTP 422: ECHOED-REQUEST alpaca-data apca-api-key-id: \[REDACTED\]/);
  });
});
