/**
 * @module `atlas schedule`: the daemon's coming jobs with their New York times, from the NYSE
 * calendar and the deployed strategies (the operations file's run.strategies, or --strategy).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { AtlasError } from '../../core/errors.js';
import { loadDeployments, loadOperationsConfig, scheduleSettings } from '../../operations/config.js';
import { jobsBetween } from '../../operations/schedule/jobs.js';
import { DEFAULT_STRATEGY_FILE } from '../../strategy/index.js';
import type { Cli } from '../main.js';
import { json, table } from '../output.js';
import { intFlag } from './strategyFlags.js';

export function nyStamp(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'America/New_York' }).toFormat("ccc yyyy-LL-dd HH:mm 'ET'");
}

/** Strategy files the daemon deploys: --strategy flags, else the operations file's list, else ./atlas.strategy.json. */
export function deployedStrategyFiles(flags: string[] | undefined, fromConfig: readonly string[]): string[] {
  if (flags && flags.length > 0) return flags.map((f) => resolve(f));
  if (fromConfig.length > 0) return [...fromConfig];
  const implicit = resolve(DEFAULT_STRATEGY_FILE);
  if (existsSync(implicit)) return [implicit];
  throw new AtlasError(`No strategy is deployed: list strategy files under "run": {"strategies": [...]} in atlas.operations.json, pass --strategy FILE, or create ${DEFAULT_STRATEGY_FILE} with \`atlas init\`.`, {
    code: 'NO_DEPLOYMENT',
  });
}

export function registerScheduleCommand(program: Command, cli: Cli): void {
  program
    .command('schedule')
    .description("list the daemon's coming jobs (New York times)")
    .option('--days <n>', 'how many days ahead', '7')
    .option('--strategy <file...>', 'strategy files to schedule (default: the operations file, else ./atlas.strategy.json)')
    .option('--config <file>', 'operations file (default: <data dir>/atlas.operations.json)')
    .option('--json', 'print the jobs as JSON')
    .addHelpText('after', `
Examples:
  $ atlas schedule                       the next 7 days
  $ atlas schedule --days 30 --json`)
    .action((flags: { days: string; strategy?: string[]; config?: string; json?: boolean }) => {
      const ctx = cli.context();
      const days = intFlag('--days', flags.days);
      const ops = loadOperationsConfig(ctx.dataDir, flags.config);
      const deployments = loadDeployments(deployedStrategyFiles(flags.strategy, ops.run.strategies));
      const accounts = deployments.flatMap((d) => d.accounts);
      const now = ctx.clock.now();
      const jobs = jobsBetween(now, new Date(now.getTime() + days * 86_400_000), accounts, scheduleSettings(ops.run));
      if (flags.json) {
        cli.io.out(json({ now: now.toISOString(), accounts, jobs: jobs.map((j) => ({ ...j, at: j.at.toISOString(), atNewYork: nyStamp(j.at) })) }));
        return;
      }
      if (accounts.length === 0) cli.io.note('note: the deployed strategies name no accounts ("accounts": [...]); only the data jobs run.');
      cli.io.out(table(['when (New York)', 'job', 'what it does'], jobs.map((j) => [nyStamp(j.at), j.kind.replace('_', '-'), j.tasks.join('; ')]), { align: ['left', 'left', 'left'] }));
    });
}
