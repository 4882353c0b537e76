import { Command, CommanderError, Option } from 'commander';
import { join } from 'node:path';
import { describeError, isAtlasError } from '../core/errors.js';
import { describeIoError, isSqliteError } from '../core/ioErrors.js';
import { STORE_FILE } from '../data/store/database.js';
import { createContext, type AppContext, type GlobalOptions } from './context.js';
import { registerEnvironmentSecrets } from '../config/env.js';
import { processOutput, redactingOutput, type Output } from './output.js';
import { registerDataCommands } from './commands/data.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerRegimeCommands } from './commands/regime.js';
import { registerScanCommand } from './commands/scan.js';
import { registerBacktestCommand } from './commands/backtest.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerWalkForwardCommand } from './commands/walkforward.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerAccountCommands } from './commands/account.js';
import { registerRebalanceCommand } from './commands/rebalance.js';
import { registerLogCommand } from './commands/log.js';
import { registerInitCommand } from './commands/init.js';
import { registerAlertCommands } from './commands/alert.js';
import { registerScheduleCommand } from './commands/schedule.js';
import { registerStatusCommand } from './commands/status.js';
import { registerRunCommand } from './commands/run.js';
import { registerServiceCommands } from './commands/service.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerParityCommand } from './commands/parity.js';
import { registerDashboardCommand } from './commands/dashboard.js';

export const VERSION = '0.1.0';

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

export function buildProgram(rawIo: Output = processOutput): { program: Command; contexts: AppContext[]; state: { exitCode: number } } {
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
  registerInitCommand(program, cli);
  registerDemoCommand(program, cli);
  registerDataCommands(program, cli);
  registerRegimeCommands(program, cli);
  registerScanCommand(program, cli);
  registerBacktestCommand(program, cli);
  registerSweepCommand(program, cli);
  registerWalkForwardCommand(program, cli);
  registerWorkerCommand(program, cli);
  registerAccountCommands(program, cli);
  registerRebalanceCommand(program, cli);
  registerLogCommand(program, cli);
  registerAlertCommands(program, cli);
  registerScheduleCommand(program, cli);
  registerStatusCommand(program, cli);
  registerRunCommand(program, cli);
  registerServiceCommands(program, cli);
  registerReplayCommand(program, cli);
  registerParityCommand(program, cli);
  registerDashboardCommand(program, cli);
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
  const { program, contexts, state } = buildProgram(io);
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
