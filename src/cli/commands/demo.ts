import type { Command } from 'commander';
import { installDemoMarket } from '../../data/demoInstall.js';
import type { Cli } from '../main.js';

/**
 * `atlas demo`: the guided tour on a simulated market. It grows with each capability: data, then
 * regime, backtest and a dry-run rebalance.
 */
export function registerDemoCommand(program: Command, cli: Cli): void {
  program
    .command('demo')
    .description('build the simulated demo market and run every stage on it (offline, no keys)')
    .option('--seed <n>', 'random seed for the simulated market', '42')
    .option('--force', 'overwrite symbols in the store that hold non-demo data')
    .addHelpText('after', `
The demo writes into the data directory (default ./.atlas). It refuses to overwrite real data;
use --data-dir to keep the demo apart.

Example:
  $ npx atlas demo
  $ npx atlas --data-dir /tmp/atlas-demo demo`)
    .action((opts: { seed: string; force?: boolean }) => {
      const ctx = cli.context();
      const summary = installDemoMarket(ctx.bars(), { seed: Number(opts.seed), force: opts.force ?? false });
      cli.io.out(['== 1. Market data ==', ...summary.lines, `Stored in ${ctx.dataDir}.`].join('\n'));
    });
}
