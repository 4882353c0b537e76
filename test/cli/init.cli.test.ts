import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStrategyFile, shortHash } from '../../src/strategy/index.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

describe('atlas init', () => {
  it('writes a commented starter and .env.example, prints the hash and the next command with --data-dir kept', async () => {
    const dir = tmp();
    const path = join(dir, 'atlas.strategy.json');
    const r = await atlasInProcess(['--data-dir', join(dir, 'd'), 'init', '--path', path]);
    expect(r.code).toBe(0);
    const loaded = loadStrategyFile(path);
    expect(readFileSync(path, 'utf8')).toMatch(/^\/\/ Atlas strategy file/);
    expect(r.stdout).toContain(`strategy ${shortHash(loaded.hash)}`);
    expect(r.stdout).toContain(`atlas --data-dir ${join(dir, 'd')} backtest --strategy`);
    const env = readFileSync(join(dir, '.env.example'), 'utf8');
    expect(env).toMatch(/^ALPACA_LARGE_SECRET=$/m);
    expect(env).not.toMatch(/=\S/);
  });

  it('refuses to overwrite without --force, and --force replaces', async () => {
    const dir = tmp();
    const path = join(dir, 's.json');
    expect((await atlasInProcess(['init', '--path', path])).code).toBe(0);
    const again = await atlasInProcess(['init', '--path', path]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists; edit it, choose another --path, or pass --force/);
    const forced = await atlasInProcess(['init', '--path', path, '--force', '--regime-model', 'sma200', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ regimeModel: 'sma200', strategyFile: path });
    expect(existsSync(path)).toBe(true);
  });
});

describe('ATLAS_CLOCK', () => {
  it('parses an ISO timestamp into a simulated clock and refuses anything else in one sentence', async () => {
    const { clockFromEnv } = await import('../../src/cli/context.js');
    const { systemClock } = await import('../../src/core/clock.js');
    expect(clockFromEnv(undefined)).toBe(systemClock);
    const c = clockFromEnv('2024-06-03T14:00:00Z');
    expect(c.now().toISOString()).toBe('2024-06-03T14:00:00.000Z');
    await c.sleep(60_000);
    expect(c.now().toISOString()).toBe('2024-06-03T14:01:00.000Z');
    expect(() => clockFromEnv('yesterday')).toThrow(/ATLAS_CLOCK must be an ISO timestamp/);
  });
});
