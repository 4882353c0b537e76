/**
 * @module `atlas sweep`: backtest every variant of a strategy over a grid of its fields, rank
 * them, print each variant's content hash, and with --save-best write the winner as a strategy
 * file whose hash is the one printed for it.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { csvLine } from '../../data/csv/parseCsv.js';
import { loadStrategyData, regimesByModel } from '../../backtest/strategyData.js';
import { fixedFor, rankResults, runSweepWithReturns, type SweepFixed, type SweepResult } from '../../backtest/sweep.js';
import { overfittingReport, timingLuck } from '../../backtest/overfitting.js';
import { overfittingLines, timingLuckLine } from './walkforward.js';
import type { BacktestMetrics } from '../../backtest/metrics.js';
import { ResearchStore } from '../../backtest/report/researchStore.js';
import { recordSweep } from '../../backtest/report/sweepRecord.js';
import { shortHash } from '../../strategy/hash.js';
import { gridVariants, parseStrategyGrid, type GridAxis, type StrategyVariant } from '../../strategy/grid.js';
import { renderStrategyFile, writeFileAtomic } from '../../strategy/load.js';
import { regimeParamsOf, sleeveOf, strategyJson, sweepPointOf } from '../../backtest/fromStrategy.js';
import { withSleevesPrices } from '../../backtest/sleeveData.js';
import { universeOf } from '../../strategy/universe.js';
import type { Cli } from '../main.js';
import { checkDateFlag, parseDateFlag } from '../dateFlags.js';
import { fmt, json, table } from '../output.js';
import { createProgress } from '../progress.js';
import { writeUserFile } from '../userFile.js';
import { exportTargets, outOption, writeJsonExport } from '../exportOut.js';
import { addStrategyOptions, ALL_FIELD_FLAGS, effectiveStrategy, strategyBaseDir, type FieldFlagName } from '../strategyOptions.js';
import { intFlag } from './strategyFlags.js';
import { addQueueOptions, openQueue, type QueueFlags } from '../queueOptions.js';
import { unadjustedWarning } from '../../data/unadjusted.js';

const RANKABLE = ['sharpe', 'sortino', 'cagr', 'calmar', 'totalReturn', 'maxDrawdown'] as const;

/** The fields a sweep's base strategy takes from flags: everything a backtest uses. */
const SWEEP_FIELDS: readonly FieldFlagName[] = ALL_FIELD_FLAGS.filter((n) => !['maxPositionPct', 'regimeTolerance', 'strict', 'buyPriceBuffer', 'priceBand'].includes(n));

export interface RankedVariant {
  rank: number;
  hash: string;
  values: Record<string, unknown>;
  result: SweepResult;
  variant: StrategyVariant;
}

function valueText(v: unknown): string {
  if (typeof v === 'object' && v !== null) return Object.values(v as Record<string, number>).join('/');
  return String(v);
}

export function sweepCsv(rows: readonly RankedVariant[], axes: readonly GridAxis[]): string {
  const metricKeys = ['totalReturn', 'cagr', 'volatility', 'sharpe', 'sortino', 'maxDrawdown', 'calmar', 'exposure', 'turnover'] as const;
  let out = csvLine(['rank', 'strategyHash', 'topN', 'minDistance', 'rebalance', 'regimeMode', ...axes.map((a) => a.key).filter((k) => !['topN', 'minDistance', 'rebalance', 'regimeMode'].includes(k)), ...metricKeys, 'orders', 'winRate']);
  for (const r of rows) {
    const m = r.result.metrics;
    const p = r.result;
    out += csvLine([
      r.rank, r.hash, p.topN, p.minDistance, p.rebalance, p.regimeMode,
      ...axes.filter((a) => !['topN', 'minDistance', 'rebalance', 'regimeMode'].includes(a.key)).map((a) => valueText(r.values[a.key])),
      ...metricKeys.map((k) => (Number.isFinite(m[k]) ? (m[k]).toFixed(6) : '')), m.orders, Number.isFinite(m.winRate) ? m.winRate.toFixed(6) : '',
    ]);
  }
  return out;
}

function readGrid(path: string): unknown {
  if (!existsSync(path)) throw new AtlasError(`--grid ${path} does not exist; write a JSON grid file (see --help).`, { code: 'BAD_FLAG' });
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AtlasError(`--grid ${path} is not valid JSON (${(err as Error).message}).`, { code: 'BAD_GRID' });
  }
}

interface SweepFlags extends QueueFlags {
  grid: string;
  from?: string;
  to?: string;
  rankBy: string;
  top: string;
  workers?: string;
  csv?: string;
  json?: boolean;
  saveBest?: string;
}

export function registerSweepCommand(program: Command, cli: Cli): void {
  const cmd = program.command('sweep').description('backtest every variant of a strategy over a grid of its fields, in parallel, and rank them');
  addStrategyOptions(cmd, SWEEP_FIELDS);
  addQueueOptions(cmd);
  cmd
    .requiredOption('--grid <file.json>', 'grid of strategy fields: {"topN":[5,10,20],"minDistance":[0.85,0.9,0.95],"volumeFilter":[false,true],"rebalance":["semiannual","quarterly"],"regimeMode":["off","rebalance","daily"]}')
    .option('--from <date>', 'first session')
    .option('--to <date>', 'last session')
    .option('--rank-by <metric>', `metric to rank by: ${RANKABLE.join(', ')}`, 'sharpe')
    .option('--top <n>', 'rows to print', '20')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--csv <file>', 'deprecated: use --out FILE.csv')
    .addOption(outOption({ csv: 'every ranked result', json: 'the results as --json prints them' }))
    .option('--save-best <file>', 'write the winning variant as a strategy file (its hash is the one printed for rank 1)')
    .option('--json', 'print all results as JSON')
    .addHelpText('after', `
The base strategy comes from --strategy FILE (default ./atlas.strategy.json when present, else
the built-in defaults) with any field flags applied; the grid varies its fields. Grid keys:
topN, minDistance, lookback, volumeFilter, volumeMultiplier, volumeWindow, rebalance,
regimeMode, allocation ("1,0.7,0.3,0" or an object); the regime model and its parameters are
the strategy's. Every variant is a full strategy with its own content hash (shown); with
--save-best the winner is written as a strategy file that \`atlas rebalance --strategy\` trades.

All configurations share one load of the data (a shared-memory panel) and one 52-week-high
precomputation per worker. Ranking ties keep grid order, so results are deterministic.

Examples:
  $ echo '{"topN":[5,10,15],"minDistance":[0.85,0.9,0.95],"volumeFilter":[false,true],"regimeMode":["off","rebalance","daily"]}' > grid.json
  $ atlas sweep --strategy atlas.strategy.json --grid grid.json --from 2005-01-01 --save-best best.json
  $ atlas sweep --universe technology --grid grid.json --csv sweep.csv
  $ atlas sweep --grid grid.json --queue redis://127.0.0.1:6379   # on \`atlas worker\` processes`)
    .action(async (opts: SweepFlags & Record<string, unknown>, command: Command) => {
      const out = exportTargets(opts, ['csv', 'json'], cli.io, [{ flag: '--csv', key: 'csv', format: 'csv' }]);
      const ctx = cli.context();
      const axes = parseStrategyGrid(readGrid(opts.grid), opts.grid);
      if (!(RANKABLE as readonly string[]).includes(opts.rankBy)) throw new AtlasError(`--rank-by must be one of ${RANKABLE.join(', ')}.`, { code: 'BAD_FLAG' });
      const eff = effectiveStrategy(command, opts);
      const variants = gridVariants(eff.strategy, axes, opts.grid);
      const points = variants.map((v) => sweepPointOf(v.strategy));
      const universe = universeOf(eff.strategy.universe, strategyBaseDir(eff));
      const from = checkDateFlag(ctx.bars(), '--from', parseDateFlag('--from', opts.from));
      const to = parseDateFlag('--to', opts.to);
      const needRegime = points.some((p) => p.regimeMode !== 'off');
      const regimeParams = regimeParamsOf(eff.strategy);
      // The panel starts one lookback before --from: the longest lookback any point ranks by.
      const lookback = Math.max(eff.strategy.scanner.lookback, ...points.map((p) => p.config?.lookback ?? 0));
      const data = loadStrategyData(ctx.bars(), universe, { from, to, lookback, withRegime: false, withVolume: points.some((p) => p.config?.volumeFilter === true) });
      const unadjusted = unadjustedWarning(data.unadjusted);
      if (unadjusted) cli.io.note(`warning: ${unadjusted}`);
      // Every sleeve the points hold trades from the panel's columns (sleeveData.ts), as in a backtest.
      const panel = withSleevesPrices(ctx.bars(), data.panel, data.rawPrices, [eff.strategy, ...variants.map((v) => v.strategy)].map(sleeveOf)).panel;
      const sleeved = panel !== data.panel;
      // One regime series per model the grid's regime-applying points name, shared by all of them.
      const models = [...new Set(variants.filter((v) => v.strategy.regime.mode !== 'off').map((v) => v.strategy.regime.model))];
      const regimes = needRegime ? regimesByModel(ctx.bars(), models, { to, params: regimeParams }) : null;
      const progress = createProgress(cli.io, points.length, 'sweep', !opts.json);
      const t0 = performance.now();
      // Shared by every point (the ranking is prepared for them); a variant's own fields override.
      const base = sweepPointOf(eff.strategy).config ?? {};
      const fixed: SweepFixed = { from, to, ...base };
      const queue = await openQueue(opts, cli.io);
      const run = {
        workers: opts.workers ? intFlag('--workers', opts.workers, 0) : undefined,
        isMember: universe.survivorshipWarning ? undefined : universe.isMember,
        // With sleeve columns in the panel only the universe is ranked.
        ...(sleeved ? { universe } : {}),
        ...(queue ? { runner: queue.runner } : {}),
      };
      let swept: Awaited<ReturnType<typeof runSweepWithReturns>>;
      try {
        swept = await runSweepWithReturns(panel, regimes, points, fixed, {
          ...run,
          onProgress: (done) => {
            progress.update(done, '');
            if (done % 50 === 0 || done === points.length) progress.line(`[${done}/${points.length}] configurations`);
          },
        });
      } catch (err) {
        await queue?.close();
        throw err;
      } finally {
        progress.stop();
      }
      const { results, returns } = swept;
      const seconds = (performance.now() - t0) / 1000;
      const index = new Map(results.map((r, i) => [r, i]));
      const ranked: RankedVariant[] = rankResults(results, opts.rankBy as keyof BacktestMetrics).map((result, i) => {
        const variant = variants[index.get(result)!];
        return { rank: i + 1, hash: variant.hash, values: variant.values, result, variant };
      });
      // How much of the best result is luck: DSR and PBO over every configuration's daily returns,
      // and the best configuration at every rebalance-day offset.
      const overfitting = overfittingReport(returns);
      let luck: Awaited<ReturnType<typeof timingLuck>> | null;
      try {
        luck = ranked.length > 0 ? await timingLuck(panel, regimes, ranked[0].result, fixedFor(ranked[0].result, fixed), run) : null;
      } finally {
        await queue?.close();
      }
      const label = (i: number) => `top ${points[i].topN}, ${points[i].minDistance}, ${points[i].rebalance}, regime ${points[i].regimeMode}${models.length > 1 ? ` (${points[i].regimeModel})` : ''}, strategy ${shortHash(variants[i].hash)}`;
      if (out.csv) {
        writeUserFile(out.csv, sweepCsv(ranked, axes));
        cli.io.note(`Wrote ${ranked.length} results to ${out.csv}.`);
      }
      const best = ranked[0];
      if (opts.saveBest && best) {
        const m = best.result.metrics[opts.rankBy as keyof BacktestMetrics];
        writeFileAtomic(opts.saveBest, renderStrategyFile(best.variant.strategy, [
          `Written by atlas sweep --save-best: rank 1 of ${ranked.length} by ${opts.rankBy} (${typeof m === 'number' ? m.toFixed(4) : String(m)}) on ${universe.name}${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}.`,
          `Base strategy: ${eff.path ?? 'built-in defaults'} (hash ${shortHash(eff.hash)}); grid values: ${JSON.stringify(best.values)}.`,
          `Content hash of this strategy: ${best.hash}`,
        ]));
        cli.io.note(`Wrote the best variant (hash ${shortHash(best.hash)}) to ${opts.saveBest}.`);
      }
      cli.io.note(`${points.length} configurations in ${seconds.toFixed(1)} s (${(points.length / seconds).toFixed(1)} per second).`);
      // Listed on the dashboard's Research page beside the backtests (docs/dashboard.md).
      recordSweep(new ResearchStore(ctx.db()), {
        at: ctx.now(), universe: universe.name, baseHash: eff.hash, basePath: eff.path ?? null, rankBy: opts.rankBy, ranked, overfitting,
        grid: Object.fromEntries(axes.map((a) => [a.key, a.values])), dates: panel.dates, from, to, simulated: data.simulated.length > 0,
      });
      if (opts.json || out.json) {
        const doc = json({
          strategy: strategyJson(eff), universe: universe.name, rankBy: opts.rankBy, configurations: points.length, seconds, overfitting, timingLuck: luck,
          grid: Object.fromEntries(axes.map((a) => [a.key, a.values])),
          best: best ? { hash: best.hash, values: best.values, savedTo: opts.saveBest ?? null } : null,
          results: ranked.map((r) => ({ rank: r.rank, strategyHash: r.hash, values: r.values, ...r.result })),
        });
        if (out.json) writeJsonExport(cli.io, out.json, doc, `${ranked.length} results`);
        if (opts.json) {
          cli.io.out(doc);
          return;
        }
      }
      const top = intFlag('--top', opts.top);
      const extra = axes.map((a) => a.key).filter((k) => !['topN', 'minDistance', 'rebalance', 'regimeMode'].includes(k));
      cli.io.out([
        `Sweep of ${universe.name}: ${points.length} variants of ${eff.path ?? 'the default strategy'} (hash ${shortHash(eff.hash)}) ranked by ${opts.rankBy}`,
        table(['rank', 'strategy hash', 'top N', 'min dist', 'rebalance', 'regime', ...extra, 'CAGR', 'Sharpe', 'Sortino', 'max DD', 'Calmar', 'exposure'],
          ranked.slice(0, top).map((r) => {
            const p = r.result;
            const m = p.metrics;
            return [r.rank, shortHash(r.hash), p.topN, p.minDistance, p.rebalance, p.regimeMode, ...extra.map((k) => valueText(r.values[k])), fmt.pct(m.cagr), fmt.num(m.sharpe), fmt.num(m.sortino), fmt.pct(m.maxDrawdown), fmt.num(m.calmar), fmt.pct(m.exposure, 1)];
          })),
        ...overfittingLines(overfitting, label),
        ...(luck ? [timingLuckLine(luck)] : []),
      ].join('\n'));
      if (universe.survivorshipWarning) cli.io.note(`warning: ${universe.survivorshipWarning}`);
    });
}
