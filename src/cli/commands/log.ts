/**
 * @module `atlas log` (read the execution audit trail back, warning about unreadable lines) and
 * `atlas log verify` (check the hash chain of every file; exit 1 at the first damage).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AtlasError } from '../../core/errors.js';
import {
  EXECUTION_LOG_FILE,
  describeDamage,
  formatLogTable,
  readExecutionLogDetailed,
  verifyExecutionLog,
  type ExecutionLogRecord,
  type VerifyReport,
} from '../../execution/audit/executionLog.js';
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
  const log = program
    .command('log')
    .description('read the execution audit log (execution_log.csv in the data directory) back')
    .option('--run <runId>', "only this run's events")
    .option('--last <n>', 'only the last n events (default: all of a run, or the last 50)')
    .option('--json', 'print the events as JSON')
    .addHelpText('after', `
Every rebalance step is logged: RUN_START, SIGNAL, ORDER_PLANNED, VALIDATION (one per gate),
ORDER_SUBMITTED, ORDER_FILLED / PARTIAL_FILL / ORDER_REJECTED / ORDER_CANCELED, RUN_END.
Timestamps are New York time. See docs/audit.md and docs/rebalance.md.

Each line carries a SHA-256 hash chained to the line before it; \`atlas log verify\` checks it.

Examples:
  $ atlas log
  $ atlas log --run 20261124-3f9a0c1e
  $ atlas log --run 20261124-3f9a0c1e --json
  $ atlas log verify`)
    .action((opts: LogFlags) => {
      const ctx = cli.context();
      const dir = ctx.dataDir;
      const runId = opts.run === undefined ? undefined : assertRunId(opts.run);
      let last: number | undefined;
      if (opts.last !== undefined) {
        last = Number(opts.last);
        if (!Number.isInteger(last) || last < 1) throw new AtlasError(`--last must be a whole number of at least 1, got "${opts.last}".`, { code: 'BAD_FLAG' });
      } else if (runId === undefined) last = 50;
      const { records, damaged } = readExecutionLogDetailed(dir, runId === undefined ? {} : { runId });
      warnDamaged(cli, damaged.map(describeDamage));
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

  log
    .command('verify')
    .description('check the hash chain of every audit file: report the first line altered, removed or torn')
    .option('--json', 'print the report as JSON')
    .option('--head <hash>', 'a head hash printed by an earlier verify: it must still be in the chain')
    .addHelpText('after', `
Walks execution_log.csv and every rotated execution_log.<stamp>.csv, oldest first. Exit 0 when
the trail is intact, 1 at the first altered, removed, reordered or torn line (file, line, byte).
Lines written before the hash chain existed are counted and noted, not failed. Keep the printed
head hash elsewhere and pass it back with --head to also catch lines cut from the end.

Examples:
  $ atlas log verify
  $ atlas log verify --json
  $ atlas log verify --head 3f1c...e9`)
    .action((_opts: unknown, cmd: Command) => {
      // `--json` is also an option of `log` itself, which commander lets claim it: read both.
      const opts = cmd.optsWithGlobals<{ json?: boolean; head?: string }>();
      const ctx = cli.context();
      if (opts.head !== undefined && !/^[0-9a-f]{64}$/.test(opts.head)) {
        throw new AtlasError(`--head must be the 64-character hex hash printed by \`atlas log verify\`, got "${opts.head}".`, { code: 'BAD_FLAG' });
      }
      const report = verifyExecutionLog(ctx.dataDir, opts.head === undefined ? {} : { expectHead: opts.head });
      if (opts.json) cli.io.out(json({ dir: ctx.dataDir, ...report, firstProblem: report.problems[0] ?? null }));
      else printVerify(cli, ctx.dataDir, report);
      if (!report.ok) cli.fail(1);
    });
}

function warnDamaged(cli: Cli, lines: string[]): void {
  if (lines.length === 0) return;
  for (const l of lines.slice(0, 5)) cli.io.note(`warning: ${l}; it was skipped.`);
  if (lines.length > 5) cli.io.note(`warning: ${lines.length - 5} more unreadable line(s) skipped.`);
  cli.io.note('warning: run `atlas log verify` to check the whole audit trail.');
}

function printVerify(cli: Cli, dir: string, r: VerifyReport): void {
  if (r.files.length === 0) {
    cli.io.out(`No execution log in ${dir} yet: nothing to verify.`);
    return;
  }
  for (const n of r.notes) cli.io.out(`note: ${n}`);
  const counts = `${r.records} chained line(s)${r.legacyRecords > 0 ? ` and ${r.legacyRecords} legacy line(s)` : ''} in ${r.files.length} file(s)`;
  if (r.ok) {
    cli.io.out(`Audit trail intact: ${counts}.`);
    if (r.head !== undefined) cli.io.out(`Head hash: ${r.head}`);
    return;
  }
  const first = r.problems[0];
  cli.io.out(`Audit trail DAMAGED: ${first.message}.`);
  if (r.problems.length > 1) {
    cli.io.out(`${r.problems.length - 1} more problem(s) after it:`);
    for (const p of r.problems.slice(1, 11)) cli.io.out(`  ${p.message}`);
    if (r.problems.length > 11) cli.io.out(`  ... and ${r.problems.length - 11} more (see --json)`);
  }
  cli.io.out(`Checked ${counts}. Keep the damaged files as evidence; new lines are still appended and chained after the damage.`);
}
