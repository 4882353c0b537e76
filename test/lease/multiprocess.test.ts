import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/data/store/database.js';
import { acquireLease, accountLeaseHolder } from '../../src/execution/lease/index.js';
import { useTempDirs } from '../support/tmp.js';
import { nodeScript } from '../support/nodeScript.js';

const worker = fileURLToPath(new URL('./leaseWorker.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = useTempDirs();

interface Outcome {
  account: string;
  won: boolean;
  takenOver?: string;
  code?: string;
}

interface Worker {
  child: ChildProcess;
  /** Resolves with the next stdout line. */
  nextLine(): Promise<string>;
  exited: Promise<number | null>;
}

function start(args: string[]): Worker {
  const child = spawn(process.execPath, [...nodeScript(worker), ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  let err = '';
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => {
    for (const w of waiters.splice(0)) w(`exited: ${err}`);
  });
  return {
    child,
    exited,
    nextLine: () => {
      const l = lines.shift();
      return l !== undefined ? Promise.resolve(l) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

describe('account lease across processes', () => {
  it('N processes racing for the same leases: exactly one wins each trial', async () => {
    const dir = tmp();
    openDatabase(dir).close(); // migrate once up front
    const n = 4;
    const trials = Array.from({ length: 10 }, (_, t) => `trial-${t}`);
    const workers = Array.from({ length: n }, (_, w) => start(['race', dir, String(w), trials.join(',')]));
    for (const w of workers) expect(await w.nextLine()).toBe('ready');
    for (const w of workers) w.child.stdin!.write('go\n');
    const results = await Promise.all(workers.map(async (w) => JSON.parse(await w.nextLine()) as Outcome[]));
    const db = openDatabase(dir);
    for (const [t, account] of trials.entries()) {
      const outcomes = results.map((r) => r[t]);
      expect(outcomes.every((o) => o.account === account)).toBe(true);
      expect(outcomes.filter((o) => o.won), account).toHaveLength(1);
      expect(outcomes.filter((o) => !o.won).every((o) => o.code === 'LEASE_HELD')).toBe(true);
      const winner = results.findIndex((r) => r[t].won);
      expect(accountLeaseHolder(db, 'paper', account)?.runId).toBe(`worker-${winner}`);
    }
    for (const w of workers) w.child.stdin!.end();
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual(workers.map(() => 0));
  }, 120_000);

  it('a SIGKILLed holder\'s lease is taken over by exactly one of the processes racing for it', async () => {
    const dir = tmp();
    openDatabase(dir).close();
    const holder = start(['hold', dir, 'h', 'kill-test']);
    expect(await holder.nextLine()).toBe('held');
    const db = openDatabase(dir);
    const before = accountLeaseHolder(db, 'paper', 'kill-test');
    expect(before).toMatchObject({ runId: 'worker-h', pid: holder.child.pid, host: hostname() });
    // alive: refused
    expect(() => acquireLease(db, { broker: 'paper', account: 'kill-test', runId: 'me', clock: systemClock })).toThrow(/held by run worker-h/);

    holder.child.kill('SIGKILL');
    await holder.exited;

    const racers = Array.from({ length: 3 }, (_, w) => start(['race', dir, String(w), 'kill-test']));
    for (const w of racers) expect(await w.nextLine()).toBe('ready');
    for (const w of racers) w.child.stdin!.write('go\n');
    const results = (await Promise.all(racers.map(async (w) => JSON.parse(await w.nextLine()) as Outcome[]))).map((r) => r[0]);
    const winners = results.filter((o) => o.won);
    expect(winners).toHaveLength(1);
    expect(winners[0].takenOver).toBe('holder process gone');
    expect(results.filter((o) => !o.won).every((o) => o.code === 'LEASE_HELD')).toBe(true);
    for (const w of racers) w.child.stdin!.end();
    await Promise.all(racers.map((w) => w.exited));
  }, 120_000);
});
