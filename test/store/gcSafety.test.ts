import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../support/tmp.js';
import { nodeScript } from '../support/nodeScript.js';

const tmp = useTempDirs();
const worker = fileURLToPath(new URL('./fixtures/gcWorker.ts', import.meta.url));

describe('the store survives garbage collection and process exit', () => {
  it(`does not abort when statements are collected (node ${process.version})`, { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, ['--max-semi-space-size=1', '--trace-gc', ...nodeScript(worker), tmp()], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/Assertion failed/);
    expect(r.status).toBe(0);
    // The worker must really have collected garbage (statements die young: scavenges collect them).
    const scavenges = (r.stdout.match(/Scavenge/g) ?? []).length;
    expect(scavenges, r.stdout.slice(0, 2000)).toBeGreaterThan(100);
  });
});
