/**
 * Every command pays for what `bin/atlas.js` loads before it parses the command line: the queue
 * (bullmq, ioredis, apache-arrow), email (nodemailer) and the dashboard (hono) are loaded only by
 * the commands that use them, and a command loads only its own command module (src/cli/main.ts
 * COMMAND_MODULES). Runs the built binary (npm test builds it first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { buildProgram, modulesFor, COMMAND_MODULES, type Cli } from '../../src/cli/main.js';

const BIN = fileURLToPath(new URL('../../bin/atlas.js', import.meta.url));
const HOOK = fileURLToPath(new URL('../support/hooks/registerPackageLog.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const HEAVY = ['bullmq', 'ioredis', 'apache-arrow', 'nodemailer', 'hono', '@hono/node-server', 'ws', 'yahoo-finance2'];

/** The npm packages and the dist/ modules (as `folder/file.js`) a run of the binary loads. */
function loadedBy(args: string[], env: Record<string, string> = {}): { packages: Set<string>; modules: Set<string>; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], { encoding: 'utf8', env: { ...process.env, ATLAS_LOG_LEVEL: 'silent', ATLAS_UNBUNDLED: '1', ...env } });
  return {
    packages: new Set([...r.stderr.matchAll(/^PKG (\S+)$/gm)].map((m) => m[1])),
    modules: new Set([...r.stderr.matchAll(/^MOD (\S+)$/gm)].map((m) => m[1]).filter((u) => u.startsWith(`file://${DIST}`)).map((u) => u.slice(`file://${DIST}`.length))),
    status: r.status,
    stderr: r.stderr,
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('start-up imports', () => {
  it('atlas --version loads none of the heavy optional packages and no command module', () => {
    const { packages, modules, status, stderr } = loadedBy(['--version']);
    expect(status, stderr).toBe(0);
    expect(packages.has('commander')).toBe(true); // the hook sees packages at all
    for (const heavy of HEAVY) expect(packages.has(heavy), heavy).toBe(false);
    expect([...modules].filter((m) => m.startsWith('cli/commands/'))).toEqual([]);
  }, 30_000);

  it('a backtest loads its own command module only: no broker, daemon, alerts, dashboard, queue or data-import code', () => {
    const home = mkdtempSync(join(tmpdir(), 'atlas-startup-'));
    dirs.push(home);
    // An empty store: the backtest fails after parsing (no data), having loaded what it needs.
    const { packages, modules, stderr } = loadedBy(['--data-dir', home, 'backtest', '--universe', 'technology', '--regime-mode', 'off', '--json']);
    expect(modules.has('cli/commands/backtest.js'), stderr).toBe(true); // the hook sees modules at all
    expect([...modules].filter((m) => m.startsWith('cli/commands/') && m !== 'cli/commands/backtest.js' && m !== 'cli/commands/strategyFlags.js')).toEqual([]);
    const foreign = [...modules].filter((m) => /^(operations|dashboard|execution\/(brokers|rebalance|audit|lease|preflight)|backtest\/(queue|distributed|report)|data\/(providers|demo|sync|importCsv))/.test(m));
    expect(foreign).toEqual([]);
    for (const heavy of HEAVY) expect(packages.has(heavy), heavy).toBe(false);
  }, 30_000);
});

describe('which command modules a command line needs', () => {
  const names = (args: string[]) => modulesFor(args).flatMap((m) => m.names);

  it('one module for a known command, after global options in either spelling', () => {
    expect(names(['backtest', '--help'])).toEqual(['backtest']);
    expect(names(['--data-dir', 'backtest', 'sweep'])).toEqual(['sweep']);
    expect(names(['--data-dir=/x', '--log-level', 'warn', 'positions'])).toEqual(['account', 'positions', 'orders', 'paper']);
  });

  it('every module for help, no command, an unknown command or an unknown global option', () => {
    const all = COMMAND_MODULES.flatMap((m) => m.names);
    expect(names([])).toEqual(all);
    expect(names(['--help'])).toEqual(all);
    expect(names(['help', 'backtest'])).toEqual(all);
    expect(names(['bakctest'])).toEqual(all);
    expect(names(['--bogus', 'backtest'])).toEqual(all);
  });

  it('each module registers exactly the top-level commands listed for it, in the order of atlas --help', async () => {
    const silent = { out: () => {}, note: () => {}, isTTY: false };
    const { program } = await buildProgram(silent, []);
    expect(program.commands.map((c) => c.name())).toEqual(COMMAND_MODULES.flatMap((m) => m.names));
    for (const m of COMMAND_MODULES) {
      const alone = new Command('atlas');
      (await m.load())(alone, { io: silent, context: () => { throw new Error('no context'); }, fail: () => {} } as Cli);
      expect(alone.commands.map((c) => c.name())).toEqual(m.names);
    }
  });

  it('none for a bare --version', () => {
    expect(names(['--version'])).toEqual([]);
    expect(names(['-V'])).toEqual([]);
  });
});
