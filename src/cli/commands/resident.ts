/**
 * @module `atlas resident start | stop | status | run`: a resident process for one data directory
 * that runs `atlas backtest` and `atlas scan` for the `atlas` client, with the CLI compiled and
 * the saved panels in memory (cli/resident/server.ts). Opt-in and visible: started by hand, stops
 * after --idle minutes without a run, and `status` says what it holds and what it refused.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { openDatabase, STORE_FILE } from '../../data/store/database.js';
import { keepPanelsInMemory } from '../../data/store/panelCache.js';
import { canonicalDataDir, resolveDataDir } from '../../config/dataDir.js';
import { holdDatabase } from '../context.js';
import type { Cli } from '../main.js';
import { fmt, json, table } from '../output.js';
import { residentFolder, socketPath, type ResidentStatus } from '../resident/protocol.js';
import { askResident, replaceEnvironment, startResident } from '../resident/server.js';

/** Saved panels a resident keeps in memory (a 500-stock, 23-year panel is about 100 MB). */
const PANELS_HELD = 2;

function idleOption(): Option {
  return new Option('--idle <minutes>', 'stop after this many minutes without a run').default('60').argParser((v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > 7 * 24 * 60) throw new AtlasError(`--idle must be a number of minutes between 0 and 10080, got "${v}".`, { code: 'BAD_FLAG', exitCode: 2 });
    return String(n);
  });
}

/**
 * What bin/atlas.js records at start: the build this process runs and the one on disk now (a
 * resident refuses clients of another), and the environment before any .env file was read into it
 * (a .env in the folder `start` ran from must not become part of the resident's environment: the
 * clients' environments do not hold it either, and each run reads its own folder's .env).
 */
function launcherFacts(): { build: string; buildNow: () => string; env: NodeJS.ProcessEnv } {
  const g = globalThis as { __atlasBuild?: unknown; __atlasBuildNow?: unknown; __atlasEnvAtStart?: unknown };
  if (typeof g.__atlasBuild !== 'string' || typeof g.__atlasBuildNow !== 'function' || typeof g.__atlasEnvAtStart !== 'object' || g.__atlasEnvAtStart === null) {
    throw new AtlasError('`atlas resident` runs through the atlas command (bin/atlas.js), not as a library call.', { code: 'RESIDENT_BUILD' });
  }
  return { build: g.__atlasBuild, buildNow: g.__atlasBuildNow as () => string, env: g.__atlasEnvAtStart as NodeJS.ProcessEnv };
}

function dataDirOf(cli: Cli, program: Command): string {
  const flag = program.opts<{ dataDir?: string }>().dataDir;
  // The store is not opened here (the resident opens it per run); .env may still set ATLAS_HOME.
  const dir = flag ? resolveDataDir(flag, process.env) : cli.context().dataDir;
  if (!existsSync(join(dir, STORE_FILE))) throw new AtlasError(`No store in ${dir}; import data first (\`atlas data import\`) or pass --data-dir.`, { code: 'NO_STORE' });
  return canonicalDataDir(dir);
}

function socketOf(dataDir: string): string | undefined {
  const folder = residentFolder(false);
  return folder && socketPath(folder, dataDir);
}

function statusRows(s: ResidentStatus, now: Date): string[][] {
  const mins = (now.getTime() - Date.parse(s.startedAt)) / 60_000;
  return [
    ['data dir', s.dataDir],
    ['pid', String(s.pid)],
    ['Node', s.node],
    ['up', `${fmt.num(mins, 1)} min (since ${s.startedAt}), stops after ${s.idleMinutes} min idle`],
    ['runs served', String(s.served)],
    ['runs refused', s.refused === 0 ? '0' : `${s.refused} (last: ${s.lastRefusal})`],
    ['panels in memory', `${s.panels} (${fmt.num(s.panelBytes / 2 ** 20, 0)} MB)`],
    ['memory', `${fmt.num(s.rssBytes / 2 ** 20, 0)} MB resident, ${fmt.num(s.heapBytes / 2 ** 20, 0)} MB of it the JavaScript heap`],
  ];
}

export function registerResidentCommands(program: Command, cli: Cli): void {
  const resident = program
    .command('resident')
    .description('a resident process that runs backtest and scan with the CLI and saved panels already in memory (opt-in)');

  resident
    .command('start')
    .description('start a resident process for the data directory, in the background')
    .addOption(idleOption())
    .action(async (opts: { idle: string }) => {
      const dataDir = dataDirOf(cli, program);
      const socket = socketOf(dataDir);
      const running = socket ? await askResident(socket, 'status', 5_000) : undefined;
      if (running && 'pid' in running) {
        if (running.build === launcherFacts().build) {
          cli.io.out(`a resident process already serves ${dataDir}`);
          return;
        }
        // One of an earlier build (or Node) would refuse every client of this one: replaced.
        await askResident(socket!, 'stop');
        cli.io.note(`stopped the resident process of an earlier build (pid ${running.pid})`);
      }
      const logDir = join(dataDir, 'logs');
      mkdirSync(logDir, { recursive: true });
      const logFile = join(logDir, 'resident.log');
      const fd = openSync(logFile, 'a');
      const child = spawn(process.execPath, [...process.execArgv, process.argv[1], '--data-dir', dataDir, 'resident', 'run', '--idle', opts.idle], {
        detached: true, stdio: ['ignore', fd, fd], env: launcherFacts().env,
      });
      closeSync(fd);
      let exited = false;
      child.on('exit', () => (exited = true));
      child.unref();
      const deadline = Date.now() + 20_000;
      for (;;) {
        const path = socketOf(dataDir);
        const s = path ? await askResident(path, 'status', 2_000) : undefined;
        if (s && 'pid' in s) {
          cli.io.out(`resident process ${s.pid} serves ${dataDir}: \`atlas backtest\` and \`atlas scan\` now run in it (log: ${logFile}; stop: atlas resident stop)`);
          return;
        }
        if (exited || Date.now() > deadline) {
          const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' / ') : '';
          throw new AtlasError(`The resident process did not start${tail ? ` (${tail})` : ''}; see ${logFile}.`, { code: 'RESIDENT_START' });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    });

  resident
    .command('stop')
    .description('stop the resident process of the data directory (after the run it is busy with)')
    .action(async () => {
      const dataDir = dataDirOf(cli, program);
      const socket = socketOf(dataDir);
      const answer = socket && (await askResident(socket, 'stop'));
      cli.io.out(answer ? `stopped the resident process of ${dataDir}` : `no resident process serves ${dataDir}`);
    });

  resident
    .command('status')
    .description('whether a resident process serves the data directory, and what it holds')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const dataDir = dataDirOf(cli, program);
      const socket = socketOf(dataDir);
      const s = socket ? await askResident(socket, 'status', 10_000) : undefined;
      const st = s && 'pid' in s ? s : undefined;
      if (opts.json) {
        cli.io.out(json({ running: st !== undefined, dataDir, ...(st ? { resident: st } : {}) }));
        return;
      }
      if (!st) {
        cli.io.out(`no resident process serves ${dataDir} (start one with \`atlas resident start\`)`);
        return;
      }
      cli.io.out(table(['resident process', ''], statusRows(st, new Date()), { left: [0, 1] }));
    });

  resident
    .command('run')
    .description('run the resident process in the foreground (what `start` runs in the background)')
    .addOption(idleOption())
    .action(async (opts: { idle: string }) => {
      const dataDir = dataDirOf(cli, program);
      const { build, buildNow, env } = launcherFacts();
      // Runs start from the environment a client has (cli/resident/server.ts puts it back after each).
      replaceEnvironment(env);
      keepPanelsInMemory(PANELS_HELD);
      // One connection for every run: statements prepared once for the life of the process.
      const db = openDatabase(dataDir);
      holdDatabase(dataDir, db);
      const { main } = await import('../main.js');
      const r = await startResident({
        dataDir, build, buildNow, idleMinutes: Number(opts.idle),
        run: (argv, io) => main(argv, io),
        log: (line) => process.stderr.write(`${new Date().toISOString()} resident: ${line}\n`),
      });
      const stop = () => r.close();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await r.closed;
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      keepPanelsInMemory(0);
      holdDatabase(dataDir, undefined);
      db.close();
    });
}
