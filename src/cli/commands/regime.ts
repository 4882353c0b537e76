import type { Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { csvLine } from '../../data/csv/parseCsv.js';
import { evaluateRegime } from '../../regime/evaluate.js';
import { explainDay } from '../../regime/explain.js';
import { indexOnOrBefore, regimeFromStore } from '../../regime/fromStore.js';
import { parseRegimeParams } from '../../regime/paramsFlag.js';
import { parseRegimeModel, REGIME_MODEL_NAMES } from '../../regime/models/registry.js';
import { registerRegimeCompare } from './regimeCompare.js';
import { summariseRegimes } from '../../regime/summary.js';
import { REGIMES, type RegimeHistory } from '../../regime/types.js';
import type { Cli } from '../main.js';
import { checkDateFlag, notBeforeData, parseDateFlag } from '../dateFlags.js';
import { fmt, json, table } from '../output.js';
import { writeUserFile } from '../userFile.js';
import { exportTargets, outOption, writeJsonExport } from '../exportOut.js';

function historyRows(h: RegimeHistory, from: string, to: string) {
  const rows = [];
  for (let i = 0; i < h.dates.length; i++) {
    const d = h.dates[i];
    if (d < from || d > to) continue;
    rows.push({
      date: d, regime: h.regime[i], state: h.state[i], modelRegime: h.modelRegime[i],
      dd: h.dd[i], s20: h.s20[i], s60: h.s60[i], ddZ: h.ddZ[i], s20Z: h.s20Z[i],
      vix: h.vix[i], vixChange1d: h.vixChange1d[i], vixChange3d: h.vixChange3d[i], vixTrigger: h.vixTrigger[i],
      allocation: h.allocation[i], reason: h.reason[i],
    });
  }
  return rows;
}

function rangeFlags(h: RegimeHistory, opts: { from?: string; to?: string }): { from: string; to: string } {
  const from = notBeforeData('--from', parseDateFlag('--from', opts.from), h.dates[0]) ?? h.dates[0];
  const to = parseDateFlag('--to', opts.to) ?? h.dates[h.dates.length - 1];
  if (to < from) throw new AtlasError(`--to ${to} is before --from ${from}; the range is empty.`, { code: 'BAD_FLAG' });
  return { from, to };
}

export function registerRegimeCommands(program: Command, cli: Cli): void {
  const regime = program
    .command('regime')
    .description("the market regime (TREND_BULL / TREND_NEUTRAL / TREND_BEAR / CRASH) from SPY and VIX, with why")
    .addHelpText('after', `
Models (--regime-model): seed (default; a two-state statistical jump model on SPY downside
deviation and Sortino features, refit every 126 sessions on the trailing 1,000, plus a VIX crash
layer), jm-online, jm-vote, sma200, sma10m. docs/regime.md explains each.

Examples:
  $ atlas regime
  $ atlas regime --as-of 2020-03-16 --json
  $ atlas regime history --from 2020-01-01 --to 2020-06-30 --csv regime.csv
  $ atlas regime validate --from 2020-03-01 --to 2020-03-31
  $ atlas regime evaluate --from 2005-01-01 --to 2020-12-31
  $ atlas regime compare --models seed,jm-online,jm-vote,sma200 --walk-forward --holdout-from 2015-01-01`);

  // A default subcommand, so that \`atlas regime --json\` and \`atlas regime history --json\`
  // each get their own --json (options of a parent command would swallow the subcommand's).
  regime
    .command('now', { isDefault: true })
    .description('the regime at the close of the latest data (or --as-of), with the features and thresholds behind it')
    .option('--as-of <date>', 'the regime known at the close of this date (default: the latest data)')
    .option('--json', 'print as JSON')
    .option('--regime-params <json>', 'override model parameters, e.g. \'{"vixFloor":null}\' (docs/regime.md)')
    .option('--regime-model <name>', `the regime model: ${REGIME_MODEL_NAMES.join(', ')} (default seed)`)
    .addHelpText('after', '\nExamples:\n  $ atlas regime --as-of 2020-03-16\n  $ atlas regime now --json --regime-params \'{"vixFloor":null}\'')
    .action((opts: { asOf?: string; json?: boolean; regimeParams?: string; regimeModel?: string }) => {
      const ctx = cli.context();
      const asOf = checkDateFlag(ctx.bars(), '--as-of', parseDateFlag('--as-of', opts.asOf));
      const { history } = regimeFromStore(ctx.bars(), { to: asOf, params: parseRegimeParams(opts.regimeParams), model: parseRegimeModel(opts.regimeModel) });
      const i = history.dates.length - 1;
      const why = explainDay(history, i);
      const votes = history.votes?.[i] ?? null;
      if (opts.json) {
        cli.io.out(json({ model: history.model, ...why, votes: votes === null ? null : { bull: votes, of: history.voters } }));
        return;
      }
      const chk = (c: { value: number; threshold: number; direction: 'gt' | 'lt'; passed: boolean }, pct = false) =>
        [pct ? fmt.pct(c.value, 1) : fmt.num(c.value), `${c.direction === 'gt' ? '>' : '<'} ${pct ? fmt.pct(c.threshold, 0) : c.threshold}`, c.passed ? 'yes' : 'no'];
      cli.io.out([
        `Regime at the close of ${why.date}: ${why.regime ?? `none (${why.reason})`}   allocation ${fmt.pct(why.allocation, 0)}`,
        `Model ${history.model}: state ${why.state ?? '-'}${votes !== null ? ` (${votes} of ${history.voters} lambdas say bull)` : ''}   label before the VIX layer: ${why.modelRegime ?? '-'}`,
        why.summary,
        table(['check', 'value', 'threshold', 'met'], [
          ['DD z-score (crash)', ...chk(why.rules.ddZ)],
          ['S20 z-score (crash)', ...chk(why.rules.s20ZCrash)],
          ['S20 z-score (bull)', ...chk(why.rules.s20ZBull)],
          ['VIX 1-session change', ...chk(why.vix.change1d, true)],
          ['VIX 3-session change', ...chk(why.vix.change3d, true)],
        ], { align: ['left', 'right', 'right', 'right'] }),
        `Features: DD ${fmt.num(why.features.dd, 5)}  S20 ${fmt.num(why.features.s20, 3)}  S60 ${fmt.num(why.features.s60, 3)}  VIX ${fmt.num(why.vix.close)}${why.vix.floor !== null ? ` (floor ${why.vix.floor})` : ''}`,
        why.fit ? `Fit in force: trained ${why.fit.trainFrom} .. ${why.fit.trainTo} (refit ${why.fit.date}).` : 'No fit yet.',
      ].join('\n'));
    });

  regime
    .command('history')
    .description('one row per session: regime, state, features, z-scores, VIX and its changes, allocation')
    .option('--from <date>', 'first date (default: first available)')
    .option('--to <date>', 'last date (default: latest)')
    .option('--csv <file>', 'deprecated: use --out FILE.csv')
    .option('--json', 'print as JSON')
    .addOption(outOption({ csv: 'the rows', json: 'the rows as --json prints them' }))
    .option('--regime-params <json>', 'override model parameters (docs/regime.md)')
    .option('--regime-model <name>', `the regime model: ${REGIME_MODEL_NAMES.join(', ')} (default seed)`)
    .addHelpText('after', '\nExample:\n  $ atlas regime history --from 2020-02-01 --to 2020-04-30 --out march2020.csv')
    .action((opts: { from?: string; to?: string; csv?: string; json?: boolean; out?: string[]; regimeParams?: string; regimeModel?: string }) => {
      const out = exportTargets(opts, ['csv', 'json'], cli.io, [{ flag: '--csv', key: 'csv', format: 'csv' }]);
      const ctx = cli.context();
      checkDateFlag(ctx.bars(), '--from', parseDateFlag('--from', opts.from));
      const { history } = regimeFromStore(ctx.bars(), { to: parseDateFlag('--to', opts.to), params: parseRegimeParams(opts.regimeParams), model: parseRegimeModel(opts.regimeModel) });
      const { from, to } = rangeFlags(history, opts);
      const rows = historyRows(history, from, to);
      if (out.csv) {
        const cols = Object.keys(rows[0] ?? { date: '' }) as (keyof (typeof rows)[number])[];
        const body = csvLine(cols) + rows.map((r) => csvLine(cols.map((c) => {
          const v = r[c];
          return typeof v === 'number' ? (Number.isFinite(v) ? v : '') : (v as string | boolean | null);
        }))).join('');
        writeUserFile(out.csv, body);
        cli.io.note(`Wrote ${rows.length} rows to ${out.csv}.`);
      }
      if (out.json) writeJsonExport(cli.io, out.json, json(rows), `${rows.length} rows`);
      if (opts.json) cli.io.out(json(rows));
      else if (!out.csv && !out.json) {
        cli.io.out(table(['date', 'regime', 'state', 'DD', 'S20', 'S60', 'dd z', 's20 z', 'VIX', 'VIX 1d', 'VIX 3d', 'alloc'],
          rows.map((r) => [r.date, r.regime ?? '-', r.state ?? '-', fmt.num(r.dd, 4), fmt.num(r.s20, 2), fmt.num(r.s60, 2), fmt.num(r.ddZ), fmt.num(r.s20Z), fmt.num(r.vix), fmt.pct(r.vixChange1d, 1), fmt.pct(r.vixChange3d, 1), fmt.pct(r.allocation, 0)])));
      }
    });

  regime
    .command('validate')
    .description('regime counts over a window: CRASH share, CRASH-or-BEAR share, first CRASH, longest CRASH run')
    .requiredOption('--from <date>', 'first date')
    .requiredOption('--to <date>', 'last date')
    .option('--json', 'print as JSON')
    .option('--regime-params <json>', 'override model parameters, e.g. \'{"vixFloor":null}\' (docs/regime.md)')
    .option('--regime-model <name>', `the regime model: ${REGIME_MODEL_NAMES.join(', ')} (default seed)`)
    .addHelpText('after', '\nThe COVID crash (the reference system saw CRASH on 18 of 22 sessions).\nExample:\n  $ atlas regime validate --from 2020-03-01 --to 2020-03-31')
    .action((opts: { from: string; to: string; json?: boolean; regimeParams?: string; regimeModel?: string }) => {
      const ctx = cli.context();
      checkDateFlag(ctx.bars(), '--from', parseDateFlag('--from', opts.from));
      const { history } = regimeFromStore(ctx.bars(), { to: parseDateFlag('--to', opts.to), params: parseRegimeParams(opts.regimeParams), model: parseRegimeModel(opts.regimeModel) });
      const { from, to } = rangeFlags(history, opts);
      const s = summariseRegimes(history, from, to);
      if (opts.json) {
        cli.io.out(json(s));
        return;
      }
      cli.io.out([
        `Sessions ${from} .. ${to}: ${s.days} (${s.classifiedDays} with a regime)`,
        table(['regime', 'days', 'share'], [...REGIMES.map((r) => [r, s.counts[r], fmt.pct(s.classifiedDays ? s.counts[r] / s.classifiedDays : NaN, 1)]), ['none', s.counts.none, '']]),
        `CRASH: ${s.counts.CRASH}/${s.days} sessions (${fmt.pct(s.crashShare, 1)}); CRASH or BEAR: ${fmt.pct(s.crashOrBearShare, 1)}`,
        `First CRASH: ${s.firstCrash ?? 'none'}; longest CRASH run: ${s.longestCrashRun ? `${s.longestCrashRun.days} sessions (${s.longestCrashRun.start} .. ${s.longestCrashRun.end})` : 'none'}`,
      ].join('\n'));
    });

  regime
    .command('evaluate')
    .description('the regime-scaled SPY strategy (exposure from the allocation matrix, next session) against buy-and-hold')
    .option('--from <date>', 'first date (default: the first day with a regime)')
    .option('--to <date>', 'last date (default: latest)')
    .option('--rf <rate>', 'annual risk-free rate for the Sharpe ratio', '0')
    .option('--json', 'print as JSON (includes the daily equity curves)')
    .option('--regime-params <json>', 'override model parameters (docs/regime.md)')
    .option('--regime-model <name>', `the regime model: ${REGIME_MODEL_NAMES.join(', ')} (default seed)`)
    .addHelpText('after', `
Exposure known at the close of day t earns SPY's return from t to t+1; the rest is cash at 0%.
Gross of trading costs. This is how to judge the regime model on its own.

Example:
  $ atlas regime evaluate --from 2005-01-01 --to 2020-12-31`)
    .action((opts: { from?: string; to?: string; rf: string; json?: boolean; regimeParams?: string; regimeModel?: string }) => {
      const ctx = cli.context();
      checkDateFlag(ctx.bars(), '--from', parseDateFlag('--from', opts.from));
      const store = ctx.bars();
      const { history } = regimeFromStore(store, { to: parseDateFlag('--to', opts.to), params: parseRegimeParams(opts.regimeParams), model: parseRegimeModel(opts.regimeModel) });
      const firstRegime = history.regime.findIndex((r) => r !== null);
      const range = rangeFlags(history, { from: opts.from ?? history.dates[Math.max(0, firstRegime)], to: opts.to });
      const rf = Number(opts.rf);
      if (!Number.isFinite(rf)) throw new AtlasError(`--rf must be a number such as 0.02, got "${opts.rf}".`, { code: 'BAD_FLAG' });
      const spy = store.getBars('SPY', undefined, range.to);
      const e = evaluateRegime(history, spy.map((b) => b.adjClose), range.from, range.to, { rfAnnual: rf });
      if (e.sessions < 2) throw new AtlasError(`${range.from} .. ${range.to} holds fewer than two sessions; widen the range.`, { code: 'BAD_FLAG' });
      if (opts.json) {
        cli.io.out(json(e));
        return;
      }
      const row = (name: string, f: (s: typeof e.strategy) => string) => [name, f(e.strategy), f(e.buyAndHold)];
      cli.io.out([
        `Regime-scaled SPY vs buy-and-hold, ${e.from} .. ${e.to} (${e.sessions} sessions; gross of costs)`,
        table(['metric', 'regime-scaled', 'buy & hold'], [
          row('total return', (s) => fmt.pct(s.totalReturn)),
          row('CAGR', (s) => fmt.pct(s.cagr)),
          row('volatility', (s) => fmt.pct(s.volatility)),
          row('Sharpe', (s) => fmt.num(s.sharpe)),
          row('max drawdown', (s) => fmt.pct(s.maxDrawdown.maxDrawdown)),
          row('  peak .. trough', (s) => `${s.maxDrawdown.peakDate ?? '-'} .. ${s.maxDrawdown.troughDate ?? '-'}`),
          row('Calmar', (s) => fmt.num(s.calmar)),
        ]),
        `Average exposure ${fmt.pct(e.averageExposure, 1)}; ${e.exposureChanges} exposure changes${e.unclassifiedExposureDays ? `; ${e.unclassifiedExposureDays} sessions without a regime held at 100%` : ''}.`,
        'Time in each regime:',
        table(['year', ...REGIMES, 'none'], [
          ...Object.entries(e.byYear).map(([y, c]) => [y, ...REGIMES.map((r) => c[r]), c.none]),
          ['all', ...REGIMES.map((r) => e.timeInRegime[r]), e.timeInRegime.none],
        ]),
      ].join('\n'));
    });

  registerRegimeCompare(regime, cli);
}

export { indexOnOrBefore };
