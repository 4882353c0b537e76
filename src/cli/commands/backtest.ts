import { Option, type Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { compareStrategies, liveGateFailures, liveGateSummary, STRATEGY_OF_MODE, type Comparison, type StrategyName } from '../../backtest/compare.js';
import { checkGate, parseGate, type GateCheck } from '../../backtest/gate.js';
import { resolve as resolvePath } from 'node:path';
import { loadStrategyData } from '../../backtest/strategyData.js';
import { defaultBacktestStart, type DefaultStart } from '../../backtest/defaultStart.js';
import { SIMULATED_NOTE } from '../../data/simulated.js';
import { unadjustedWarning } from '../../data/unadjusted.js';
import type { BacktestConfig } from '../../backtest/engine.js';
import type { BacktestMetrics } from '../../backtest/metrics.js';
import type { RegimeMode } from '../../portfolio/targetWeights.js';
import type { AllocationMatrix } from '../../portfolio/allocation.js';
import { membershipCoverage } from '../../selection/resolveUniverse.js';
import { shortHash } from '../../strategy/hash.js';
import { backtestConfigOf, regimeParamsOf, strategyJson } from '../../backtest/fromStrategy.js';
import { universeOf } from '../../strategy/universe.js';
import type { Cli } from '../main.js';
import { checkDateFlag, parseDateFlag } from '../dateFlags.js';
import { fmt, json, table } from '../output.js';
import { writeUserFile } from '../userFile.js';
import { exportTargets, outOption, writeJsonExport } from '../exportOut.js';
import { addStrategyOptions, ALL_FIELD_FLAGS, deprecatedAlias, effectiveStrategy, strategyBaseDir, type FieldFlagName } from '../strategyOptions.js';
import { numFlag } from './strategyFlags.js';
import { withSleevePrices } from '../../backtest/sleeveData.js';
import { compareSleeves, sleeveChoices } from '../../backtest/sleeveCompare.js';
import { sleeveCountsAsCash, sleeveLabel, CASH_SLEEVE } from '../../portfolio/sleeve.js';

/** "1/0.7/0.3/0" for BULL/NEUTRAL/BEAR/CRASH. */
export function allocationText(a: AllocationMatrix): string {
  return `${a.TREND_BULL}/${a.TREND_NEUTRAL}/${a.TREND_BEAR}/${a.CRASH} (bull/neutral/bear/crash)`;
}

interface BacktestFlags {
  regimeMode?: RegimeMode | 'compare';
  regime?: RegimeMode | 'compare';
  from?: string;
  to?: string;
  cashRate: string;
  initialCash: string;
  rf: string;
  json?: boolean;
  report?: string;
  trades?: string;
  regimeCsv?: string;
  gate?: string;
  gateOn?: string;
  compareSleeves?: boolean;
}

/** The strategy fields a backtest uses (--regime-mode is the command's own: it also takes compare). */
const BACKTEST_FIELDS: readonly FieldFlagName[] = ALL_FIELD_FLAGS.filter((n) => !['regimeMode', 'maxPositionPct', 'regimeTolerance', 'strict', 'buyPriceBuffer', 'priceBand'].includes(n));

export function metricsTable(cmp: Comparison): string {
  const cols: { name: string; m: BacktestMetrics }[] = [
    ...cmp.runs.map((r) => ({ name: r.name, m: r.metrics })),
    ...(cmp.benchmark ? [{ name: 'SPY buy & hold', m: cmp.benchmark.metrics }] : []),
  ];
  const row = (label: string, f: (m: BacktestMetrics) => string) => [label, ...cols.map((c) => f(c.m))];
  return table(['metric', ...cols.map((c) => c.name)], [
    row('total return', (m) => fmt.pct(m.totalReturn)),
    row('CAGR', (m) => fmt.pct(m.cagr)),
    row('volatility', (m) => fmt.pct(m.volatility)),
    row('Sharpe', (m) => fmt.num(m.sharpe)),
    row('Sortino', (m) => fmt.num(m.sortino)),
    row('max drawdown', (m) => fmt.pct(m.maxDrawdown)),
    row('  trough', (m) => m.troughDate ?? '-'),
    row('Calmar', (m) => fmt.num(m.calmar)),
    row('exposure', (m) => fmt.pct(m.exposure, 1)),
    row('turnover / yr', (m) => fmt.num(m.turnover)),
    row('orders', (m) => String(m.orders)),
    row('win rate', (m) => fmt.pct(m.winRate, 1)),
  ]);
}

/** One column per sleeve choice: return, risk, the sleeve's mean share and its cash days. */
export function sleeveTable(runs: ReturnType<typeof compareSleeves>): string {
  const row = (label: string, f: (r: (typeof runs)[number]) => string) => [label, ...runs.map(f)];
  return table(['metric', ...runs.map((r) => `sleeve ${r.sleeve}`)], [
    row('total return', (r) => fmt.pct(r.metrics.totalReturn)),
    row('CAGR', (r) => fmt.pct(r.metrics.cagr)),
    row('volatility', (r) => fmt.pct(r.metrics.volatility)),
    row('Sharpe', (r) => fmt.num(r.metrics.sharpe)),
    row('max drawdown', (r) => fmt.pct(r.metrics.maxDrawdown)),
    row('stock exposure', (r) => fmt.pct(r.metrics.exposure, 1)),
    row('sleeve share', (r) => fmt.pct(r.averageSleeve, 1)),
    row('sessions as cash', (r) => (r.report.kind === 'cash' ? '-' : String(Math.max(0, ...r.report.symbols.map((s) => s.cashSessions))))),
    row('orders', (r) => String(r.metrics.orders)),
  ]);
}

export function registerBacktestCommand(program: Command, cli: Cli): void {
  const cmd = program.command('backtest').description('backtest 52-week-high momentum: baseline vs regime-integrated, against SPY buy-and-hold');
  addStrategyOptions(cmd, BACKTEST_FIELDS);
  cmd
    .addOption(new Option('--regime-mode <mode>', 'off = baseline; rebalance = regime at scheduled rebalances; daily = also rescale on regime changes; compare = all three (default compare; the strategy\'s own mode is marked)').choices(['off', 'rebalance', 'daily', 'compare']))
    .addOption(new Option('--regime <mode>', 'deprecated: use --regime-mode').choices(['off', 'rebalance', 'daily', 'compare']).hideHelp())
    .option('--from <date>', 'first session (default: the first session with a known regime and a full 52-week history for the universe)')
    .option('--to <date>', 'last session (default: latest data)')
    .option('--cash-rate <rate>', 'annual interest on cash', '0')
    .option('--initial-cash <usd>', 'starting cash', '100000')
    .option('--rf <rate>', 'annual risk-free rate for Sharpe and Sortino', '0')
    .option('--json', 'print results as JSON')
    .addOption(outOption({ html: 'the report', csv: 'every fill', json: 'the results as --json prints them' }))
    .option('--report <file.html>', 'deprecated: use --out FILE.html')
    .option('--trades <file.csv>', 'deprecated: use --out FILE.csv')
    .option('--regime-csv <file.csv>', 'write the regime and allocation at each rebalance')
    .option('--compare-sleeves', 'also run the strategy\'s own regime mode with each remainder sleeve side by side (cash vs the configured sleeve, or vs BIL)')
    .option('--gate <conditions>', 'pass/fail check, e.g. "sharpe>=0.8,cagr>=0.10"; exit 1 on FAIL')
    .addOption(new Option('--gate-on <strategy>', "which strategy the gate checks (default: the run with the strategy's own regime mode)").choices(['baseline', 'regime-rebalance', 'regime-daily']))
    .addHelpText('after', `
The strategy comes from --strategy FILE (default ./atlas.strategy.json when present, else the
built-in defaults); every flag above overrides its field for this run (docs/strategy.md). The
strategy's content hash is printed, written to the JSON and to the report's settings.

Orders decided at the close of a rebalance day fill at the next session's open, with commission
and slippage; positions drift between rebalances. The rebalance uses the same order planner as
live trading. Formulas: docs/metrics.md; model: docs/backtest.md.

Examples:
  $ atlas backtest --strategy atlas.strategy.json --out report.html
  $ atlas backtest --universe technology --top-n 10 --from 2005-01-01 --to 2020-12-31 --regime-mode compare
  $ atlas backtest --universe technology --out report.html --out trades.csv --out results.json --regime-csv regimes.csv
  $ atlas backtest --universe healthcare --regime-mode daily --gate "sharpe>=0.8,cagr>=0.10"
  $ atlas backtest --universe-file sp500_membership.csv --rebalance quarterly --fractional`)
    .action(async (opts: BacktestFlags & Record<string, unknown>, command: Command) => {
      const ctx = cli.context();
      if (opts.regime !== undefined) deprecatedAlias((t) => cli.io.note(t), '--regime <mode>', '--regime-mode');
      const out = exportTargets(opts, ['html', 'csv', 'json'], cli.io, [{ flag: '--report', key: 'report', format: 'html' }, { flag: '--trades', key: 'trades', format: 'csv' }]);
      const modeFlag = opts.regimeMode ?? opts.regime;
      const eff = effectiveStrategy(command, opts, process.cwd(), { skip: ['regimeMode'], set: modeFlag !== undefined && modeFlag !== 'compare' ? { regimeMode: modeFlag } : {} });
      const strategy = eff.strategy;
      const universe = universeOf(strategy.universe, strategyBaseDir(eff));
      const from = checkDateFlag(ctx.bars(), '--from', parseDateFlag('--from', opts.from));
      const to = parseDateFlag('--to', opts.to);
      if (from && to && to < from) throw new AtlasError(`--to ${to} is before --from ${from}; the range is empty.`, { code: 'BAD_FLAG' });
      const own = strategy.regime.mode;
      const modes: RegimeMode[] = modeFlag === undefined || modeFlag === 'compare' ? ['off', 'rebalance', 'daily'] : [own];
      const gateConditions = opts.gate ? parseGate(opts.gate) : undefined;
      const config: BacktestConfig = {
        universe, from, to,
        ...backtestConfigOf(strategy),
        cashRate: numFlag('--cash-rate', opts.cashRate, -0.5, 0.5),
        initialCash: numFlag('--initial-cash', opts.initialCash, 1),
      };
      const rf = numFlag('--rf', opts.rf, -0.5, 0.5);
      const needRegime = modes.some((m) => m !== 'off');
      const regimeParams = regimeParamsOf(strategy);
      const regimeModel = strategy.regime.model;
      // Without --from the start depends on when the regime is known, so it is loaded (when the
      // store can) even for a baseline-only run; the baseline's live-gate checks use it too.
      // With --from only the sessions from one 52-week lookback before it are read; without it the
      // whole history is, to find the default start.
      const data = loadStrategyData(ctx.bars(), universe, { from, to, lookback: config.lookback, withRegime: needRegime ? true : 'if-available', withVolume: config.volumeFilter, regimeParams, regimeModel });
      // The remainder sleeve's symbols trade from the same panel (sleeveData.ts); the universe does not rank them.
      const sleeve = config.sleeve ?? CASH_SLEEVE;
      const withSleeve = withSleevePrices(ctx.bars(), data.panel, data.rawPrices, opts.compareSleeves ? sleeveChoices(sleeve)[1] : sleeve);
      const panel = withSleeve.panel;
      config.rawPrices = withSleeve.rawPrices;
      let start: DefaultStart | undefined;
      if (!from) {
        start = defaultBacktestStart(data.panel, data.regimes, { lookback: config.lookback!, topN: config.topN!, universe });
        config.from = start.date;
      }
      const cmp = compareStrategies(panel, data.regimes, data.spy, modes, config, { rfAnnual: rf });
      const sleeveRuns = opts.compareSleeves ? compareSleeves(panel, data.regimes, own, config, sleeveChoices(sleeve), { rfAnnual: rf }) : null;
      const sessions = cmp.runs[0].result.dates;
      const startLine = start ? `Start: ${start.reason}.` : `Start: ${sessions[0]} (--from ${from}).`;
      const simulated = data.simulated.length > 0 ? `${SIMULATED_NOTE} (demo data: ${data.simulated.slice(0, 5).join(', ')}${data.simulated.length > 5 ? ` and ${data.simulated.length - 5} more` : ''})` : null;
      const unadjusted = unadjustedWarning(data.unadjusted);
      const coverage = universe.survivorshipWarning ? null : (() => {
        const col = new Map(data.panel.symbols.map((sym, i) => [sym, i]));
        const day = new Map(data.panel.dates.map((d, i) => [d, i]));
        const n = data.panel.dates.length;
        return membershipCoverage(universe, sessions, (sym, d) => {
          const i = col.get(sym);
          return i !== undefined && data.panel.close[i * n + day.get(d)!] > 0;
        });
      })();

      let gate: { strategy: StrategyName; checks: GateCheck[] } | undefined;
      if (gateConditions) {
        const want = (opts.gateOn as StrategyName | undefined) ?? STRATEGY_OF_MODE[own];
        const run = cmp.runs.find((r) => r.name === want);
        if (!run) throw new AtlasError(`--gate-on ${want} was not run; add it with --regime-mode.`, { code: 'BAD_FLAG' });
        gate = { strategy: want, checks: checkGate(gateConditions, run.metrics) };
      }
      const settings = {
        strategyHash: shortHash(eff.hash), strategyFile: eff.path ?? 'built-in defaults', ...(eff.overrides.length ? { strategyOverrides: eff.overrides.join(' ') } : {}),
        universe: universe.name, topN: config.topN!, minDistance: config.minDistance!, lookback: config.lookback!, volumeFilter: config.volumeFilter!,
        ...(config.volumeFilter ? { volumeMultiplier: config.volumeMultiplier!, volumeWindow: config.volumeWindow! } : {}),
        rebalance: config.rebalance!, regimeModel: strategy.regime.model, regimeMode: own, allocation: allocationText(strategy.regime.allocation),
        fill: config.fill!, commissionBps: config.commissionBps!, slippageBps: config.slippageBps!,
        wholeShares: config.wholeShares!, minNotional: config.minNotional!, cashRate: config.cashRate!, initialCash: config.initialCash!, rf,
        sleeve: `${sleeveLabel(sleeve)}${sleeve.kind === 'cash' ? '' : sleeveCountsAsCash(sleeve) ? ' (counts as cash for gate 7)' : ' (counts as exposure for gate 7)'}`,
      };
      if (out.html) {
        // The report renderer and the research list are loaded only when a report is asked for.
        const [{ renderReport }, { ResearchStore }] = await Promise.all([import('../../backtest/report/html.js'), import('../../backtest/report/researchStore.js')]);
        writeUserFile(out.html, renderReport(cmp, {
          title: `Atlas backtest: ${universe.name}, top ${config.topN}`,
          universe: { name: universe.name, description: universe.description, survivorshipWarning: universe.survivorshipWarning ?? coverage?.warning ?? undefined, missing: data.missing },
          settings, gate, simulated: simulated ?? undefined, start: startLine, ...(unadjusted ? { dataWarnings: [unadjusted] } : {}),
        }));
        cli.io.note(`Wrote the report to ${out.html}.`);
        // Listed on the dashboard's Research page (docs/dashboard.md).
        new ResearchStore(ctx.db()).record({
          kind: 'backtest', createdAt: ctx.now().toISOString(), title: `${universe.name}, top ${config.topN}, ${config.rebalance}`, strategyHash: eff.hash,
          firstDate: sessions[0], lastDate: sessions[sessions.length - 1], simulated: simulated !== null, settings,
          metrics: Object.fromEntries([...cmp.runs.map((r) => [r.name, r.metrics]), ...(cmp.benchmark ? [[cmp.benchmark.name, cmp.benchmark.metrics]] : [])]),
          reportPath: resolvePath(out.html),
        });
      }
      const exports = out.csv || opts.regimeCsv ? await import('../../backtest/exports.js') : undefined;
      if (out.csv) {
        writeUserFile(out.csv, exports!.tradesCsv(cmp.runs));
        cli.io.note(`Wrote ${cmp.runs.reduce((a, r) => a + r.result.trades.length, 0)} trades to ${out.csv}.`);
      }
      if (opts.regimeCsv) {
        writeUserFile(opts.regimeCsv, exports!.rebalancesCsv(cmp.runs));
        cli.io.note(`Wrote the regime at each rebalance to ${opts.regimeCsv}.`);
      }
      const failed = gate?.checks.some((c) => !c.pass) ?? false;
      if (opts.json || out.json) {
        const doc = json({
          simulated: simulated !== null,
          ...(simulated ? { simulatedNote: simulated } : {}),
          ...(unadjusted ? { unadjustedWarning: unadjusted, unadjustedSymbols: data.unadjusted } : {}),
          strategy: strategyJson(eff),
          start: { date: sessions[0], default: start !== undefined, reason: startLine },
          universe: { name: universe.name, description: universe.description, survivorshipWarning: universe.survivorshipWarning ?? coverage?.warning ?? null, missing: data.missing,
            ...(coverage ? { membersInWindow: coverage.members, membersWithoutData: coverage.withoutData.length } : {}) },
          settings,
          strategies: cmp.runs.map((r) => ({ name: r.name, strategyMode: r.mode === own, metrics: r.metrics, rebalances: r.result.rebalances, warnings: r.result.warnings, daysWithoutRegime: r.result.daysWithoutRegime, finalEquity: r.result.equity[r.result.equity.length - 1], sleeve: r.result.sleeve })),
          ...(sleeveRuns ? { sleeveComparison: sleeveRuns } : {}),
          benchmark: cmp.benchmark ? { name: cmp.benchmark.name, metrics: cmp.benchmark.metrics } : null,
          gate: gate ?? null,
        });
        if (out.json) writeJsonExport(cli.io, out.json, doc, 'the results');
        if (opts.json) cli.io.out(doc);
      }
      if (!opts.json) {
        const first = cmp.runs[0].result;
        cli.io.out([
          ...(simulated ? [`*** ${simulated} ***`] : []),
          `Backtest ${universe.name}, top ${config.topN}, ${config.rebalance} rebalance, ${first.dates[0]} .. ${first.dates[first.dates.length - 1]} (${first.dates.length} sessions), fills at the ${config.fill === 'open' ? 'next open' : 'same close (optimistic)'}, costs ${config.commissionBps}+${config.slippageBps} bps`,
          `Strategy: ${eff.path ?? 'built-in defaults'}${eff.overrides.length ? ` with ${eff.overrides.join(', ')}` : ''}, hash ${shortHash(eff.hash)}; regime mode ${own}${modes.length > 1 ? ' (compared with the other modes)' : ''}.`,
          startLine,
          ...(coverage ? [`Point-in-time universe: ${coverage.members} members in the window, ${coverage.withoutData.length} of them without price data.`] : []),
          metricsTable(cmp),
          'Live gates on each rebalance batch (evaluated as a live run would, not enforced):',
          ...cmp.runs.flatMap((r) => [`  ${liveGateSummary(r)}`, ...liveGateFailures(r).map((f) => `    ${f}`)]),
          ...(sleeveRuns ? [`Remainder sleeve compared (${STRATEGY_OF_MODE[own]}):`, sleeveTable(sleeveRuns)] : []),
          ...(gate ? [`Gate on ${gate.strategy}:`, ...gate.checks.map((c) => `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.text}  (actual ${fmt.num(c.value, 4)})`)] : []),
        ].join('\n'));
        if (universe.survivorshipWarning) cli.io.note(`warning: ${universe.survivorshipWarning}`);
        if (unadjusted) cli.io.note(`warning: ${unadjusted}`);
        if (coverage?.warning) cli.io.note(`warning: ${coverage.warning}`);
        const sleeveWarnings = new Set([...cmp.runs.flatMap((r) => r.result.warnings), ...(sleeveRuns ?? []).flatMap((r) => r.warnings)].filter((w) => w.startsWith('Remainder sleeve:')));
        for (const w of sleeveWarnings) cli.io.note(`warning: ${w}`);
        for (const w of new Set(cmp.runs.flatMap((r) => r.result.warnings))) if (w !== universe.survivorshipWarning && !sleeveWarnings.has(w)) cli.io.note(`note: ${w}`);
      }
      if (simulated && (opts.json || out.html || out.json)) cli.io.note(simulated);
      if (failed) cli.fail(1);
    });
}
