/**
 * Child process for the multi-process lease test.
 * Race:  node --import tsx test/lease/leaseWorker.ts race <dataDir> <workerId> <account,...>
 *   prints "ready", waits for "go" on stdin, tries every account's lease once, prints one JSON line
 *   of results, then holds whatever it won until stdin closes.
 * Hold:  node --import tsx test/lease/leaseWorker.ts hold <dataDir> <workerId> <account>
 *   takes the lease, prints "held", and waits to be killed.
 */
import { createInterface } from 'node:readline';
import { systemClock } from '../../src/core/clock.js';
import { AtlasError } from '../../src/core/errors.js';
import { openDatabase } from '../../src/data/store/database.js';
import { acquireLease } from '../../src/execution/lease/index.js';

const [mode, dir, id, accounts] = process.argv.slice(2);
const db = openDatabase(dir);

function tryLease(account: string): { account: string; won: boolean; takenOver?: string; code?: string } {
  try {
    const r = acquireLease(db, { broker: 'paper', account, runId: `worker-${id}`, ttlMs: 600_000, clock: systemClock });
    return { account, won: true, takenOver: r.takenOver?.why };
  } catch (err) {
    if (err instanceof AtlasError) return { account, won: false, code: err.code };
    throw err;
  }
}

if (mode === 'hold') {
  tryLease(accounts);
  process.stdout.write('held\n');
  setInterval(() => undefined, 1 << 30);
} else {
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  lines.on('line', (line) => {
    if (line !== 'go') return;
    const results = accounts.split(',').map(tryLease);
    process.stdout.write(`${JSON.stringify(results)}\n`);
  });
  lines.on('close', () => process.exit(0));
}
