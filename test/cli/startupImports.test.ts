/**
 * Every command pays for what `bin/atlas.js` loads before it parses the command line: the queue
 * (bullmq, ioredis, apache-arrow), email (nodemailer) and the dashboard (hono) are loaded only by
 * the commands that use them. Runs the built binary (npm test builds it first).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/atlas.js', import.meta.url));
const HOOK = fileURLToPath(new URL('../support/hooks/registerPackageLog.mjs', import.meta.url));

function packagesLoadedBy(args: string[]): Set<string> {
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], { encoding: 'utf8', env: { ...process.env, ATLAS_LOG_LEVEL: 'silent' } });
  expect(r.status, r.stderr).toBe(0);
  return new Set([...r.stderr.matchAll(/^PKG (\S+)$/gm)].map((m) => m[1]));
}

describe('start-up imports', () => {
  it('atlas --version loads none of the heavy optional packages', () => {
    const loaded = packagesLoadedBy(['--version']);
    expect(loaded.has('commander')).toBe(true); // the hook sees packages at all
    for (const heavy of ['bullmq', 'ioredis', 'apache-arrow', 'nodemailer', 'hono', '@hono/node-server', 'ws', 'yahoo-finance2']) {
      expect(loaded.has(heavy), heavy).toBe(false);
    }
  }, 30_000);
});
