/**
 * `atlas regime compare`: the regime models side by side on regime-scaled SPY (src/regime/compare.ts).
 */
import type { Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { compareFromStore } from '../../regime/compareView.js';
import { renderComparison } from '../../regime/compareView.js';
import { parseRegimeModelList } from '../../regime/models/registry.js';
import { parseRegimeParams } from '../../regime/paramsFlag.js';
import type { Cli } from '../main.js';
import { checkDateFlag, parseDateFlag } from '../dateFlags.js';
import { fmt, json, table } from '../output.js';
import { intFlag, numFlag } from './strategyFlags.js';

export function registerRegimeCompare(regime: Command, cli: Cli): void {
  regime
    .command('compare')
    .description('regime models side by side: regime-scaled SPY vs buy-and-hold, in-sample and hold-out')
    .option('--models <list>', 'comma-separated models', 'seed,jm-online,jm-vote,sma200')
    .option('--walk-forward', 'evaluate from 2000-01-01 (the issue\'s walk-forward window) unless --from is given')
    .option('--holdout-from <date>', 'report the sessions from this date separately as the hold-out')
    .option('--from <date>', 'first date (default: the first session every model has a regime)')
    .option('--to <date>', 'last date (default: latest)')
    .option('--cost-bps <n>', 'cost per unit of exposure change, basis points', '5')
    .option('--bootstrap-samples <n>', 'block-bootstrap resamples for the Sharpe-difference interval', '1000')
    .option('--regime-params <json>', 'parameter overrides for the models other than seed (docs/regime.md)')
    .option('--json', 'print as JSON')
    .addHelpText('after', `
Every model is computed online: each fit uses only data before the day it is applied to, so the
whole history is walk-forward. Exposure known at the close of day t earns SPY's return of day t+1.

Example:
  $ atlas regime compare --models seed,jm-online,jm-vote,sma200 --walk-forward --holdout-from 2015-01-01`)
    .action((opts: { models: string; walkForward?: boolean; holdoutFrom?: string; from?: string; to?: string; costBps: string; bootstrapSamples: string; regimeParams?: string; json?: boolean }) => {
      const models = parseRegimeModelList(opts.models);
      const from = checkDateFlag(cli.context().bars(), '--from', parseDateFlag('--from', opts.from));
      const to = parseDateFlag('--to', opts.to);
      const holdoutFrom = parseDateFlag('--holdout-from', opts.holdoutFrom);
      if (from && to && to < from) throw new AtlasError(`--to ${to} is before --from ${from}; the range is empty.`, { code: 'BAD_FLAG' });
      if (holdoutFrom && ((from && holdoutFrom <= from) || (to && holdoutFrom > to))) {
        throw new AtlasError(`--holdout-from ${holdoutFrom} must fall inside the evaluated range; pick a date after --from and up to --to.`, { code: 'BAD_FLAG' });
      }
      const ctx = cli.context();
      const { comparison, firstCommon } = compareFromStore(ctx.bars(), models, {
        from, to, holdoutFrom, walkForward: opts.walkForward ?? false,
        costBps: numFlag('--cost-bps', opts.costBps, 0, 1000), samples: intFlag('--bootstrap-samples', opts.bootstrapSamples),
        params: parseRegimeParams(opts.regimeParams),
      });
      if (opts.json) {
        cli.io.out(json({ ...comparison, models: comparison.models, firstCommonRegime: firstCommon }));
        return;
      }
      if (comparison.from !== (from ?? comparison.from)) cli.io.note(`note: starts ${comparison.from}, the first session every model has a regime.`);
      cli.io.out(renderComparison(comparison, table, fmt));
    });
}
