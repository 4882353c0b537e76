/**
 * @module `atlas replay`: rehearse a deployment on stored history with the real daemon code, a
 * simulated clock and the embedded paper broker (src/operations/replay/replay.ts). The source is
 * the data directory (--data-dir); the replay writes to its own directory, which `atlas parity
 * --data-dir <replay dir>` then compares with the backtest.
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AtlasError } from '../../core/errors.js';
import { runReplay } from '../../operations/replay/replay.js';
import { loadStrategyFile } from '../../strategy/index.js';
import type { Cli } from '../main.js';
import { checkDateFlag } from '../dateFlags.js';
import { json } from '../output.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function registerReplayCommand(program: Command, cli: Cli): void {
  program
    .command('replay')
    .description('replay a strategy on stored history with the real daemon, a simulated clock and the paper broker')
    .requiredOption('--strategy <file>', 'the strategy file to deploy')
    .requiredOption('--from <date>', 'first session (a rebalance session lines up with the backtest)')
    .requiredOption('--to <date>', 'last session')
    .option('--replay-dir <dir>', 'where the replay writes (default: <data dir>/replays/<from>_<to>_<hash>)')
    .option('--initial-cash <n>', 'starting cash of each paper account', '100000')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', `
Examples:
  $ atlas replay --strategy atlas.strategy.json --from 2019-01-02 --to 2020-12-31
  $ atlas parity --data-dir .atlas/replays/2019-01-02_2020-12-31_ab12cd34 --report parity.html`)
    .action(async (flags: { strategy: string; from: string; to: string; replayDir?: string; initialCash: string; json?: boolean }) => {
      const ctx = cli.context();
      if (!DATE.test(flags.from) || !DATE.test(flags.to)) throw new AtlasError('--from and --to must be dates like 2019-01-02.', { code: 'BAD_FLAG' });
      checkDateFlag(ctx.bars(), '--from', flags.from);
      const cash = Number(flags.initialCash);
      if (!(cash > 0)) throw new AtlasError(`--initial-cash must be a positive amount, got "${flags.initialCash}".`, { code: 'BAD_FLAG' });
      const strategyFile = resolve(flags.strategy);
      const hash = loadStrategyFile(strategyFile).hash.slice(0, 8);
      const replayDir = resolve(flags.replayDir ?? join(ctx.dataDir, 'replays', `${flags.from}_${flags.to}_${hash}`));
      let stop = false;
      const onSignal = () => {
        cli.io.note('atlas: stopping the replay after the current job ...');
        stop = true;
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const t0 = performance.now();
      try {
        const result = await runReplay({
          sourceDir: ctx.dataDir, replayDir, strategyFile, from: flags.from, to: flags.to, initialCash: cash,
          shouldStop: () => stop,
          onJob: (done, total, job) => {
            if (done % 50 === 0 || done === total) cli.io.note(`replay: ${done}/${total} jobs (${job.id})`);
          },
        });
        const seconds = (performance.now() - t0) / 1000;
        if (flags.json) {
          cli.io.out(json({ ...result, seconds }));
          return;
        }
        cli.io.out(`replay ${result.from} .. ${result.to} in ${replayDir}: ${result.jobs} jobs, ${seconds.toFixed(1)} s${result.stopped ? ' (stopped early; run the same command to continue)' : ''}`);
        for (const a of result.accounts) {
          cli.io.out(`  ${a.account}: ${a.orders} orders (${a.filled} filled), ${a.snapshots} snapshots, final equity ${a.finalEquity === null ? 'n/a' : a.finalEquity.toFixed(2)}`);
        }
        cli.io.out(`compare with the backtest: atlas parity --data-dir ${replayDir}`);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
