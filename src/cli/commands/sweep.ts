import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { csvLine } from '../../data/csv/parseCsv.js';
import { loadStrategyData } from '../../backtest/strategyData.js';
import { gridPoints, parseGrid, rankResults, runSweepWithReturns, type SweepResult } from '../../backtest/sweep.js';
import { overfittingReport, timingLuck } from '../../backtest/overfitting.js';
import { overfittingLines, timingLuckLine } from './walkforward.js';
import type { BacktestMetrics } from '../../backtest/metrics.js';
import { resolveUniverse } from '../../selection/resolveUniverse.js';
import type { Cli } from '../main.js';
import { fmt, json, table } from '../output.js';
import { createProgress } from '../progress.js';
import { parseDateFlag } from './data.js';
import { writeUserFile } from '../userFile.js';
import { addUniverseOptions, intFlag, numFlag } from './strategyFlags.js';

const RANKABLE = ['sharpe', 'sortino', 'cagr', 'calmar', 'totalReturn', 'maxDrawdown'] as const;

export function sweepCsv(rows: readonly SweepResult[]): string {
  let out = csvLine(['rank', 'topN', 'minDistance', 'rebalance', 'regimeMode', 'totalReturn', 'cagr', 'volatility', 'sharpe', 'sortino', 'maxDrawdown', 'calmar', 'exposure', 'turnover', 'orders', 'winRate']);
  rows.forEach((r, i) => {
    const m = r.metrics;
    out += csvLine([i + 1, r.topN, r.minDistance, r.rebalance, r.regimeMode, ...[m.totalReturn, m.cagr, m.volatility, m.sharpe, m.sortino, m.maxDrawdown, m.calmar, m.exposure, m.turnover].map((x) => (Number.isFinite(x) ? x.toFixed(6) : '')), m.orders, Number.isFinite(m.winRate) ? m.winRate.toFixed(6) : '']);
  });
  return out;
}

export function registerSweepCommand(program: Command, cli: Cli): void {
  const cmd = program.command('sweep').description('backtest every configuration of a parameter grid in parallel and rank them');
  addUniverseOptions(cmd);
  cmd
    .requiredOption('--grid <file.json>', 'grid: {"topN":[5,10,20],"minDistance":[0.85,0.9,0.95],"rebalance":["semiannual","quarterly","monthly"],"regimeMode":["off","rebalance","daily"]}')
    .option('--from <date>', 'first session')
    .option('--to <date>', 'last session')
    .option('--rank-by <metric>', `metric to rank by: ${RANKABLE.join(', ')}`, 'sharpe')
    .option('--top <n>', 'rows to print', '20')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--commission-bps <n>', 'commission, basis points', '10')
    .option('--slippage-bps <n>', 'slippage, basis points', '10')
    .option('--csv <file>', 'write every ranked result to a CSV file')
    .option('--json', 'print all results as JSON')
    .addHelpText('after', `
All configurations share one load of the data (a shared-memory panel) and one 52-week-high
precomputation per worker. Ranking ties keep grid order, so results are deterministic.

Examples:
  $ echo '{"topN":[5,10,15],"minDistance":[0.85,0.9,0.95],"rebalance":["semiannual","monthly"],"regimeMode":["off","rebalance","daily"]}' > grid.json
  $ atlas sweep --universe technology --grid grid.json --from 2005-01-01 --csv sweep.csv`)
    .action(async (opts: { universe?: string; universeFile?: string; sector?: string; constituents?: string; grid: string; from?: string; to?: string; rankBy: string; top: string; workers?: string; commissionBps: string; slippageBps: string; csv?: string; json?: boolean }) => {
      const ctx = cli.context();
      if (!existsSync(opts.grid)) throw new AtlasError(`--grid ${opts.grid} does not exist; write a JSON grid file (see --help).`, { code: 'BAD_FLAG' });
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(opts.grid, 'utf8'));
      } catch (err) {
        throw new AtlasError(`--grid ${opts.grid} is not valid JSON (${(err as Error).message}).`, { code: 'BAD_GRID' });
      }
      const points = gridPoints(parseGrid(raw, opts.grid));
      if (!(RANKABLE as readonly string[]).includes(opts.rankBy)) throw new AtlasError(`--rank-by must be one of ${RANKABLE.join(', ')}.`, { code: 'BAD_FLAG' });
      const universe = resolveUniverse(opts);
      const from = parseDateFlag('--from', opts.from);
      const to = parseDateFlag('--to', opts.to);
      const needRegime = points.some((p) => p.regimeMode !== 'off');
      const data = loadStrategyData(ctx.bars(), universe, { to, withRegime: needRegime });
      const progress = createProgress(cli.io, points.length, 'sweep', !opts.json);
      const t0 = performance.now();
      const fixed = {
        from, to,
        commissionBps: numFlag('--commission-bps', opts.commissionBps, 0, 1000),
        slippageBps: numFlag('--slippage-bps', opts.slippageBps, 0, 1000),
      };
      const run = {
        workers: opts.workers ? intFlag('--workers', opts.workers, 0) : undefined,
        isMember: universe.survivorshipWarning ? undefined : universe.isMember,
      };
      const { results, returns } = await runSweepWithReturns(data.panel, data.regimes, points, fixed, {
        ...run,
        onProgress: (done) => {
          progress.update(done, '');
          if (done % 50 === 0 || done === points.length) progress.line(`[${done}/${points.length}] configurations`);
        },
      });
      progress.stop();
      const seconds = (performance.now() - t0) / 1000;
      const ranked = rankResults(results, opts.rankBy as keyof BacktestMetrics);
      // How much of the best result is luck: DSR and PBO over every configuration's daily returns,
      // and the best configuration at every rebalance-day offset.
      const overfitting = overfittingReport(returns);
      const luck = await timingLuck(data.panel, data.regimes, ranked[0], fixed, run);
      const label = (i: number) => `top ${points[i].topN}, ${points[i].minDistance}, ${points[i].rebalance}, regime ${points[i].regimeMode}`;
      if (opts.csv) {
        writeUserFile(opts.csv, sweepCsv(ranked));
        cli.io.note(`Wrote ${ranked.length} results to ${opts.csv}.`);
      }
      cli.io.note(`${points.length} configurations in ${seconds.toFixed(1)} s (${(points.length / seconds).toFixed(1)} per second).`);
      if (opts.json) {
        cli.io.out(json({ universe: universe.name, rankBy: opts.rankBy, configurations: points.length, seconds, overfitting, timingLuck: luck, results: ranked }));
        return;
      }
      const top = intFlag('--top', opts.top);
      cli.io.out([
        `Sweep of ${universe.name}: ${points.length} configurations ranked by ${opts.rankBy}`,
        table(['rank', 'top N', 'min dist', 'rebalance', 'regime', 'CAGR', 'Sharpe', 'Sortino', 'max DD', 'Calmar', 'exposure'],
          ranked.slice(0, top).map((r, i) => [i + 1, r.topN, r.minDistance, r.rebalance, r.regimeMode, fmt.pct(r.metrics.cagr), fmt.num(r.metrics.sharpe), fmt.num(r.metrics.sortino), fmt.pct(r.metrics.maxDrawdown), fmt.num(r.metrics.calmar), fmt.pct(r.metrics.exposure, 1)])),
        ...overfittingLines(overfitting, label),
        timingLuckLine(luck),
      ].join('\n'));
      if (universe.survivorshipWarning) cli.io.note(`warning: ${universe.survivorshipWarning}`);
    });
}
