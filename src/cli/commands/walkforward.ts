/**
 * @module `atlas walkforward`: the strategy's grid chosen on rolling (or anchored) training windows
 * and traded on the following test windows, with degradation, stability, the deflated Sharpe
 * ratio, PBO and rebalance timing luck (src/backtest/walkforward.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { sleeveOf } from '../../backtest/fromStrategy.js';
import { withSleevesPrices } from '../../backtest/sleeveData.js';
import { loadStrategyData } from '../../backtest/strategyData.js';
import { gridPoints, parseGrid, type SweepFixed, type SweepPoint } from '../../backtest/sweep.js';
import { OBJECTIVES, parseDuration, walkForward, type Objective, type WalkForwardReport } from '../../backtest/walkforward.js';
import type { OverfittingReport, TimingLuckReport } from '../../backtest/overfitting.js';
import { resolveUniverse, type UniverseFlags } from '../../selection/resolveUniverse.js';
import type { Strategy } from '../../strategy/index.js';
import type { Cli } from '../main.js';
import { checkDateFlag, parseDateFlag } from '../dateFlags.js';
import { fmt, json, table } from '../output.js';
import { createProgress } from '../progress.js';
import { addStrategyOptions, effectiveStrategy } from '../strategyOptions.js';
import { intFlag } from './strategyFlags.js';
import { addQueueOptions, openQueue, type QueueFlags } from '../queueOptions.js';
import { unadjustedWarning } from '../../data/unadjusted.js';

/** A grid file's JSON, or a one-sentence error naming the file. */
export function readGridFile(path: string): unknown {
  if (!existsSync(path)) throw new AtlasError(`--grid ${path} does not exist; write a JSON grid file (see --help).`, { code: 'BAD_FLAG' });
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AtlasError(`--grid ${path} is not valid JSON (${(err as Error).message}).`, { code: 'BAD_GRID' });
  }
}

/** The universe flags a strategy file's universe spec stands for. */
export function universeFlagsOf(spec: Strategy['universe']): UniverseFlags {
  if ('builtin' in spec) return { universe: spec.builtin };
  if ('file' in spec) return { universeFile: spec.file };
  if ('sector' in spec) return { sector: spec.sector, constituents: spec.constituents };
  return { universeFile: spec.membership };
}

/** The sweep settings a strategy fixes (everything the grid does not vary). */
export function fixedOf(s: Strategy, range: { from?: string; to?: string }): SweepFixed {
  return {
    ...range,
    commissionBps: s.costs.commissionBps, slippageBps: s.costs.slippageBps, fill: s.fill, wholeShares: s.wholeShares, minNotional: s.minNotional,
    lookback: s.scanner.lookback, volumeFilter: s.scanner.volumeFilter, volumeMultiplier: s.scanner.volumeMultiplier, volumeWindow: s.scanner.volumeWindow,
    allocation: s.regime.allocation, sleeve: sleeveOf(s),
  };
}

const label = (p: SweepPoint): string => `top ${p.topN}, ${p.minDistance}, ${p.rebalance}, regime ${p.regimeMode}`;

/** Lines on the deflated Sharpe ratio and PBO (shared with `atlas sweep`). */
export function overfittingLines(o: OverfittingReport, label: (best: number) => string): string[] {
  const out: string[] = [];
  const d = o.deflatedSharpe;
  if (d) {
    out.push(`Deflated Sharpe ratio of the best (${label(d.best)}): ${fmt.num(d.dsr, 3)} — daily Sharpe ${fmt.num(d.sharpe, 4)} vs ${fmt.num(d.expectedMaxSharpe, 4)} expected from luck over ${d.trials} trials (skew ${fmt.num(d.skew)}, kurtosis ${fmt.num(d.kurtosis)}); below 0.95 the best is not distinguishable from luck.`);
  }
  if (o.pbo) out.push(`Probability of backtest overfitting: ${fmt.pct(o.pbo.pbo, 1)} (CSCV, ${o.pbo.blocks} blocks, ${o.pbo.splits} splits; probability of loss ${fmt.pct(o.pbo.probabilityOfLoss, 1)}).`);
  else out.push('Probability of backtest overfitting: not computed (needs two configurations and 8 sessions).');
  return out;
}

export function timingLuckLine(t: TimingLuckReport): string {
  return `Rebalance timing luck (${label(t.point)}, ${t.offsets.length} offsets): CAGR ${fmt.pct(t.cagr.min)} to ${fmt.pct(t.cagr.max)} (sd ${fmt.pct(t.cagr.std)}), Sharpe ${fmt.num(t.sharpe.min)} to ${fmt.num(t.sharpe.max)}, max drawdown ${fmt.pct(t.maxDrawdown.min)} to ${fmt.pct(t.maxDrawdown.max)}.`;
}

export function walkForwardText(r: WalkForwardReport, points: readonly SweepPoint[]): string {
  const obj = (x: number) => (r.objective === 'cagr' ? fmt.pct(x) : fmt.num(x));
  const m = r.stitched.metrics;
  return [
    `Walk-forward: ${r.windows.length} windows, ${r.anchored ? 'anchored' : 'rolling'} ${r.trainMonths}-month training, ${r.testMonths}-month test, ${r.configurations} configurations, best by ${r.objective}`,
    table(['#', 'train', 'test', 'chosen', `IS ${r.objective}`, `OOS ${r.objective}`, 'OOS rank'],
      r.windows.map((w) => [w.index + 1, `${w.trainFrom}..${w.trainTo}`, `${w.testFrom}..${w.testTo}`, label(w.point), obj(w.inSample), obj(w.outOfSample), `${w.outOfSampleRank}/${r.configurations}`])),
    `Out of sample, stitched ${m.startDate}..${m.endDate}: CAGR ${fmt.pct(m.cagr)}, Sharpe ${fmt.num(m.sharpe)}, max drawdown ${fmt.pct(m.maxDrawdown)}, Calmar ${fmt.num(m.calmar)}.`,
    `Degradation: mean in-sample ${r.objective} ${obj(r.degradation.meanInSample)} vs out-of-sample ${obj(r.degradation.meanOutOfSample)} (efficiency ${fmt.num(r.degradation.efficiency)}); the chosen configuration ranked at the ${fmt.pct(r.degradation.meanOutOfSampleRankPct, 0)} point of the grid out of sample on average (0% = best, 50% = a coin).`,
    `Stability: ${r.stability.changes} changes of choice in ${r.windows.length - 1} transitions; most chosen ${label(r.stability.modal)} (${fmt.pct(r.stability.modalShare, 0)} of windows); distinct values chosen: topN ${r.stability.distinct.topN}, minDistance ${r.stability.distinct.minDistance}, rebalance ${r.stability.distinct.rebalance}, regime mode ${r.stability.distinct.regimeMode}.`,
    ...overfittingLines(r.overfitting, (b) => label(points[b])),
    r.outOfSampleDeflatedSharpe ? `Deflated Sharpe ratio of the stitched out-of-sample returns: ${fmt.num(r.outOfSampleDeflatedSharpe.dsr, 3)}.` : '',
    r.timingLuck ? timingLuckLine(r.timingLuck) : '',
  ].filter(Boolean).join('\n');
}

export function registerWalkForwardCommand(program: Command, cli: Cli): void {
  const cmd = program.command('walkforward').description('choose the best grid configuration on each training window and trade it on the next test window');
  addStrategyOptions(cmd, ['universe', 'universeFile', 'sector', 'constituents', 'commissionBps', 'slippageBps', 'fill']);
  addQueueOptions(cmd);
  cmd
    .requiredOption('--grid <file.json>', 'grid: {"topN":[5,10,20],"minDistance":[0.85,0.9,0.95],"rebalance":["quarterly","monthly"],"regimeMode":["off","daily"]}; a missing key takes the strategy value')
    .option('--train <duration>', 'training window, years or months: 5y, 18m', '5y')
    .option('--test <duration>', 'test window', '1y')
    .option('--anchored', 'every training window starts at the first session (default: rolling)')
    .option('--objective <metric>', `what "best" means: ${OBJECTIVES.join(', ')}`, 'sharpe')
    .option('--from <date>', 'first session of the first training window')
    .option('--to <date>', 'last session of the last test window')
    .option('--max-windows <n>', 'stop after this many windows')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--json', 'print the whole report as JSON')
    .addHelpText('after', `
Each training run ends the session before its test window starts, so a choice never sees the data
it is judged on. The report also gives the deflated Sharpe ratio and the probability of backtest
overfitting of the grid over the whole span, and rebalance timing luck (docs/overfitting.md).

Examples:
  $ atlas walkforward --strategy atlas.strategy.json --grid grid.json --train 5y --test 1y
  $ atlas walkforward --grid grid.json --anchored --objective calmar --json
  $ atlas walkforward --grid grid.json --queue redis://127.0.0.1:6379   # on \`atlas worker\` processes`)
    .action(async (opts: Record<string, unknown> & QueueFlags & { grid: string; train: string; test: string; anchored?: boolean; objective: string; from?: string; to?: string; maxWindows?: string; workers?: string; json?: boolean }) => {
      const ctx = cli.context();
      if (!(OBJECTIVES as readonly string[]).includes(opts.objective)) throw new AtlasError(`--objective must be one of ${OBJECTIVES.join(', ')}.`, { code: 'BAD_FLAG' });
      const eff = effectiveStrategy(cmd, opts);
      const s = eff.strategy;
      const points = gridPoints(parseGrid(readGridFile(opts.grid), opts.grid, { topN: s.scanner.topN, minDistance: s.scanner.minDistance, rebalance: s.rebalance, regimeMode: s.regime.mode }));
      const trainMonths = parseDuration(opts.train, '--train');
      const testMonths = parseDuration(opts.test, '--test');
      const from = checkDateFlag(ctx.bars(), '--from', parseDateFlag('--from', opts.from));
      const to = parseDateFlag('--to', opts.to);
      const universe = resolveUniverse(universeFlagsOf(s.universe));
      const needRegime = points.some((p) => p.regimeMode !== 'off');
      const data = loadStrategyData(ctx.bars(), universe, { from, to, lookback: s.scanner.lookback, withRegime: needRegime, regimeParams: s.regime.params, regimeModel: s.regime.model });
      const unadjusted = unadjustedWarning(data.unadjusted);
      if (unadjusted) cli.io.note(`warning: ${unadjusted}`);
      // The sleeve trades from the panel's columns (sleeveData.ts), as in a backtest; then only the universe is ranked.
      const panel = withSleevesPrices(ctx.bars(), data.panel, data.rawPrices, [sleeveOf(s)]).panel;
      const progress = createProgress(cli.io, 100, 'walk-forward %', !opts.json);
      const t0 = performance.now();
      const queue = await openQueue(opts, cli.io);
      let report: WalkForwardReport;
      try {
        report = await walkForward(panel, data.regimes, points, fixedOf(s, {}), {
          trainMonths, testMonths, anchored: opts.anchored === true, objective: opts.objective as Objective, from, to,
          maxWindows: opts.maxWindows ? intFlag('--max-windows', opts.maxWindows) : undefined,
        }, {
          workers: opts.workers ? intFlag('--workers', opts.workers, 0) : undefined,
          isMember: universe.survivorshipWarning ? undefined : universe.isMember,
          ...(panel !== data.panel ? { universe } : {}),
          onProgress: (done, total) => progress.update(Math.round((100 * done) / total), `${done}/${total} runs`),
          ...(queue ? { runner: queue.runner } : {}),
        });
      } finally {
        progress.stop();
        await queue?.close();
      }
      cli.io.note(`${report.windows.length} windows x ${points.length} configurations in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
      if (opts.json) {
        cli.io.out(json({ strategy: { name: s.name, hash: eff.hash, path: eff.path }, universe: universe.name, ...report, stitched: { ...report.stitched, equity: Array.from(report.stitched.equity) } }));
        return;
      }
      cli.io.out(walkForwardText(report, points));
      if (universe.survivorshipWarning) cli.io.note(`warning: ${universe.survivorshipWarning}`);
    });
}
