import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AtlasError } from '../../core/errors.js';
import { EXECUTION_LOG_FILE, formatLogTable, readExecutionLog, type ExecutionLogRecord } from '../../execution/audit/executionLog.js';
import { assertRunId } from '../../execution/rebalance/runId.js';
import type { Cli } from '../main.js';
import { json } from '../output.js';

interface LogFlags {
  run?: string;
  last?: string;
  json?: boolean;
}

/** One line per run: id, first and last timestamp, events, how the last invocation ended. */
export function runsOverview(records: readonly ExecutionLogRecord[]): { runId: string; from: string; to: string; events: number; submitted: number; fills: number; lastEnd: string }[] {
  const byRun = new Map<string, ExecutionLogRecord[]>();
  for (const r of records) {
    const list = byRun.get(r.runId) ?? [];
    list.push(r);
    byRun.set(r.runId, list);
  }
  return [...byRun.entries()].map(([runId, list]) => {
    const ends = list.filter((r) => r.event === 'RUN_END');
    return {
      runId,
      from: list[0].timestamp,
      to: list[list.length - 1].timestamp,
      events: list.length,
      submitted: list.filter((r) => r.event === 'ORDER_SUBMITTED').length,
      fills: list.filter((r) => r.event === 'ORDER_FILLED' || r.event === 'PARTIAL_FILL').length,
      lastEnd: ends.length > 0 ? (ends[ends.length - 1].status ?? '') : 'no RUN_END (running or killed)',
    };
  });
}

export function registerLogCommand(program: Command, cli: Cli): void {
  program
    .command('log')
    .description('read the execution audit log (execution_log.csv in the data directory) back')
    .option('--run <runId>', "only this run's events")
    .option('--last <n>', 'only the last n events (default: all of a run, or the last 50)')
    .option('--json', 'print the events as JSON')
    .addHelpText('after', `
Every rebalance step is logged: RUN_START, SIGNAL, ORDER_PLANNED, VALIDATION (one per gate),
ORDER_SUBMITTED, ORDER_FILLED / PARTIAL_FILL / ORDER_REJECTED / ORDER_CANCELED, RUN_END.
Timestamps are New York time. See docs/audit.md and docs/rebalance.md.

Examples:
  $ atlas log
  $ atlas log --run 20261124-3f9a0c1e
  $ atlas log --run 20261124-3f9a0c1e --json`)
    .action((opts: LogFlags) => {
      const ctx = cli.context();
      const dir = ctx.dataDir;
      const runId = opts.run === undefined ? undefined : assertRunId(opts.run);
      let last: number | undefined;
      if (opts.last !== undefined) {
        last = Number(opts.last);
        if (!Number.isInteger(last) || last < 1) throw new AtlasError(`--last must be a whole number of at least 1, got "${opts.last}".`, { code: 'BAD_FLAG' });
      } else if (runId === undefined) last = 50;
      const records = readExecutionLog(dir, runId === undefined ? {} : { runId });
      if (records.length === 0) {
        if (opts.json) {
          cli.io.out('[]');
          return;
        }
        const where = existsSync(join(dir, EXECUTION_LOG_FILE)) ? join(dir, EXECUTION_LOG_FILE) : `${dir} (no ${EXECUTION_LOG_FILE} yet)`;
        if (runId !== undefined) throw new AtlasError(`No events for run ${runId} in ${where}; list the runs with \`atlas log\`.`, { code: 'RUN_NOT_FOUND' });
        cli.io.out(`No execution events in ${where}; a rebalance writes them (\`atlas rebalance --dry-run\`).`);
        return;
      }
      const shown = last === undefined ? records : records.slice(-last);
      if (opts.json) {
        cli.io.out(json(shown));
        return;
      }
      if (runId === undefined) {
        const runs = runsOverview(records);
        cli.io.out(`Runs (${runs.length}):`);
        for (const r of runs.slice(-20)) {
          cli.io.out(`  ${r.runId}  ${r.from.slice(0, 19).replace('T', ' ')} .. ${r.to.slice(11, 19)}  ${r.events} events, ${r.submitted} submitted, ${r.fills} fills; last end: ${r.lastEnd}`);
        }
        cli.io.out('');
        cli.io.out(`Last ${shown.length} event(s):`);
      }
      cli.io.out(formatLogTable(shown));
    });
}
