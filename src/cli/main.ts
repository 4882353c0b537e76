import { Command, CommanderError, Option } from 'commander';
import { join } from 'node:path';
import { describeError, isAtlasError } from '../core/errors.js';
import { describeIoError, isSqliteError } from '../core/ioErrors.js';
import { STORE_FILE } from '../data/store/database.js';
import { commandWord } from './commandWord.js';
import { createContext, type AppContext, type GlobalOptions } from './context.js';
import { registerEnvironmentSecrets } from '../config/env.js';
import { processOutput, redactingOutput, type Output } from './output.js';
export const VERSION = '0.1.0';

type Register = (program: Command, cli: Cli) => void;

/**
 * Each command module, in the order `atlas --help` lists them, with the top-level command names it
 * registers. Modules are imported only when needed: a run of one command loads that command's
 * module alone (so `atlas backtest` never loads the broker, the daemon or the dashboard); help, an
 * unknown command and a bare `atlas` load them all so the listing and suggestions are complete.
 */
export const COMMAND_MODULES: readonly { names: readonly string[]; load: () => Promise<Register> }[] = [
  { names: ['init'], load: async () => (await import('./commands/init.js')).registerInitCommand },
  { names: ['demo'], load: async () => (await import('./commands/demo.js')).registerDemoCommand },
  { names: ['data'], load: async () => (await import('./commands/data.js')).registerDataCommands },
  { names: ['regime'], load: async () => (await import('./commands/regime.js')).registerRegimeCommands },
  { names: ['scan'], load: async () => (await import('./commands/scan.js')).registerScanCommand },
  { names: ['backtest'], load: async () => (await import('./commands/backtest.js')).registerBacktestCommand },
  { names: ['sweep'], load: async () => (await import('./commands/sweep.js')).registerSweepCommand },
  { names: ['walkforward'], load: async () => (await import('./commands/walkforward.js')).registerWalkForwardCommand },
  { names: ['worker'], load: async () => (await import('./commands/worker.js')).registerWorkerCommand },
  { names: ['account', 'positions', 'orders', 'paper'], load: async () => (await import('./commands/account.js')).registerAccountCommands },
  { names: ['rebalance'], load: async () => (await import('./commands/rebalance.js')).registerRebalanceCommand },
  { names: ['log'], load: async () => (await import('./commands/log.js')).registerLogCommand },
  { names: ['alert'], load: async () => (await import('./commands/alert.js')).registerAlertCommands },
  { names: ['schedule'], load: async () => (await import('./commands/schedule.js')).registerScheduleCommand },
  { names: ['status'], load: async () => (await import('./commands/status.js')).registerStatusCommand },
  { names: ['run'], load: async () => (await import('./commands/run.js')).registerRunCommand },
  { names: ['service'], load: async () => (await import('./commands/service.js')).registerServiceCommands },
  { names: ['replay'], load: async () => (await import('./commands/replay.js')).registerReplayCommand },
  { names: ['parity'], load: async () => (await import('./commands/parity.js')).registerParityCommand },
  { names: ['dashboard'], load: async () => (await import('./commands/dashboard.js')).registerDashboardCommand },
  { names: ['resident'], load: async () => (await import('./commands/resident.js')).registerResidentCommands },
];

/**
 * Which command modules a command line needs: the one module registering its command, none for a
 * bare `--version`, and every module otherwise (help, no command, an unknown command).
 */
export function modulesFor(args: readonly string[]): typeof COMMAND_MODULES {
  const { word, versionOnly } = commandWord(args);
  if (versionOnly) return [];
  const hit = word === undefined ? undefined : COMMAND_MODULES.find((m) => m.names.includes(word));
  return hit ? [hit] : COMMAND_MODULES;
}

/**
 * What a command registration gets. The context is created lazily: `--help` and argument errors
 * must work without a store or a valid .env. `fail` records a non-zero exit without throwing,
 * for commands that finish their work and then report what went wrong (a sync with a bad symbol).
 */
export interface Cli {
  context(): AppContext;
  io: Output;
  fail(code?: number): void;
}

export async function buildProgram(rawIo: Output = processOutput, args: readonly string[] = []): Promise<{ program: Command; contexts: AppContext[]; state: { exitCode: number } }> {
  const io = redactingOutput(rawIo);
  const contexts: AppContext[] = [];
  const program = new Command('atlas')
    .description('Atlas: regime-aware 52-week-high momentum research, backtesting and Alpaca paper trading.')
    .version(VERSION)
    .addOption(new Option('--data-dir <dir>', 'data directory (default: $ATLAS_HOME, else ./.atlas)'))
    .addOption(new Option('--log-level <level>', 'log level for stderr logs').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.note(s.trimEnd()) })
    .addHelpText('after', `
Examples:
  $ atlas demo                                   build the simulated demo market and tour every stage
  $ atlas data import ../shared/data ../shared/data/stocks
  $ atlas data sync --symbols SPY,VIX,AAPL --provider auto --from 2000-01-01
  $ atlas data list --json
Run \`atlas <command> --help\` for a command's flags and examples.`);
  program.exitOverride();
  const state = { exitCode: 0 };
  let shared: AppContext | undefined;
  const cli: Cli = {
    io,
    context: () => {
      if (!shared) {
        shared = createContext(program.opts<GlobalOptions>(), io);
        contexts.push(shared);
      }
      return shared;
    },
    fail: (code = 1) => {
      state.exitCode = Math.max(state.exitCode, code);
    },
  };
  const modules = modulesFor(args);
  const registers = await Promise.all(modules.map((m) => m.load()));
  for (const register of registers) register(program, cli);
  return { program, contexts, state };
}

/**
 * Runs the CLI; returns the process exit code. Errors become one sentence on stderr. The key
 * variables are registered for redaction before anything runs, and every text printed (results,
 * notes, logs, errors, commander's own messages) goes through the scrubbed `io`.
 */
export async function main(argv: string[], rawIo: Output = processOutput): Promise<number> {
  registerEnvironmentSecrets();
  const io = redactingOutput(rawIo);
  const { program, contexts, state } = await buildProgram(io, argv.slice(2));
  try {
    await program.parseAsync(argv);
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (unknown option, missing argument, --help, --version)
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isAtlasError(err)) {
      io.note(`atlas: ${err.message}`);
      return err.exitCode;
    }
    // Disk full, read-only, a directory in the way, a damaged store: one sentence, not "unexpected".
    const ioFailure = describeIoError(err, isSqliteError(err) && contexts[0] ? join(contexts[0].dataDir, STORE_FILE) : undefined);
    if (ioFailure) {
      io.note(`atlas: ${ioFailure.message}`);
      return ioFailure.exitCode;
    }
    io.note(`atlas: unexpected error: ${describeError(err)}`);
    if (process.env.ATLAS_DEBUG) io.note(String((err as Error).stack));
    return 1;
  } finally {
    for (const c of contexts) c.close();
  }
}
