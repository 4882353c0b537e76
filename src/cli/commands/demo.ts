import { join } from 'node:path';
import type { Command } from 'commander';
import { compareStrategies } from '../../backtest/compare.js';
import { nextSession, sessionTimes } from '../../calendar/nyse.js';
import { ManualClock } from '../../core/clock.js';
import { createBroker } from '../../execution/brokers/factory.js';
import { runRebalance } from '../../execution/rebalance/orchestrator.js';
import { formatPlanReport } from '../../execution/rebalance/report.js';
import { RunStore } from '../../execution/rebalance/runStore.js';
import { renderReport } from '../../backtest/report/html.js';
import { loadStrategyData } from '../../backtest/strategyData.js';
import { installDemoMarket } from '../../data/demoInstall.js';
import { regimeFromStore } from '../../regime/fromStore.js';
import { summariseRegimes } from '../../regime/summary.js';
import { compareFromStore, renderComparison } from '../../regime/compareView.js';
import { REGIMES, type RegimeHistory } from '../../regime/types.js';
import { getUniverse } from '../../selection/universes.js';
import type { Cli } from '../main.js';
import { fmt, table } from '../output.js';
import { metricsTable } from './backtest.js';
import { writeUserFile } from '../userFile.js';

/** Runs of consecutive CRASH sessions at least `minDays` long. */
export function crashEpisodes(h: RegimeHistory, minDays = 3): { from: string; to: string; days: number }[] {
  const out: { from: string; to: string; days: number }[] = [];
  let start = -1;
  for (let i = 0; i <= h.dates.length; i++) {
    const crash = i < h.dates.length && h.regime[i] === 'CRASH';
    if (crash && start < 0) start = i;
    if (!crash && start >= 0) {
      if (i - start >= minDays) out.push({ from: h.dates[start], to: h.dates[i - 1], days: i - start });
      start = -1;
    }
  }
  return out;
}

/** The demo's simulated "now": 10:00 New York (30 minutes after the open) of the session after `lastBar`. */
export function demoMoment(lastBar: string): Date {
  return new Date(sessionTimes(nextSession(lastBar)).open.getTime() + 30 * 60_000);
}

/** A command to run next, keeping the --data-dir this run was given (else it would read another store). */
export function followUp(program: Command, args: string): string {
  const dir = program.opts<{ dataDir?: string }>().dataDir;
  return dir === undefined ? `atlas ${args}` : `atlas --data-dir ${shellQuote(dir)} ${args}`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

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
    .action(async (opts: { seed: string; force?: boolean }) => {
      const ctx = cli.context();
      const io = cli.io;
      const summary = installDemoMarket(ctx.bars(), { seed: Number(opts.seed), force: opts.force ?? false });
      io.out(['== 1. Market data ==', ...summary.lines, `Stored in ${ctx.dataDir}.`, ''].join('\n'));

      const { history } = regimeFromStore(ctx.bars());
      const first = history.regime.findIndex((r) => r !== null);
      const s = summariseRegimes(history, history.dates[first], history.dates[history.dates.length - 1]);
      const crashes = crashEpisodes(history);
      io.out([
        '== 2. Regime (jump model on SPY + VIX crash layer) ==',
        `First regime ${history.dates[first]} (the model needs ${first} sessions of history); ${s.classifiedDays} sessions classified.`,
        table(['year', ...REGIMES], Object.entries(s.byYear).map(([y, c]) => [y, ...REGIMES.map((r) => c[r])])),
        `CRASH episodes (3+ sessions): ${crashes.map((c) => `${c.from} .. ${c.to} (${c.days})`).join('; ') || 'none'}`,
        `Scripted crashes: ${summary.episodes.filter((e) => e.kind === 'crash').map((e) => `${e.name} ${e.from} .. ${e.to}`).join('; ')}`,
        '',
      ].join('\n'));

      // Regime models compared (issue 12): the same table as `atlas regime compare`.
      const models = compareFromStore(ctx.bars(), ['seed', 'jm-online', 'jm-vote', 'sma200'], { samples: 200 });
      io.out(['== 2b. Regime models compared on the simulated market (atlas regime compare) ==', renderComparison(models.comparison, table, fmt), ''].join('\n'));

      const universe = getUniverse('technology');
      const data = loadStrategyData(ctx.bars(), universe);
      const cmp = compareStrategies(data.panel, data.regimes, data.spy, ['off', 'rebalance', 'daily'], { universe, topN: 10, from: history.dates[first] });
      const reportPath = join(ctx.dataDir, 'demo-backtest.html');
      writeUserFile(reportPath, renderReport(cmp, {
        title: 'Atlas demo backtest (SIMULATED market): technology, top 10',
        universe: { name: universe.name, description: universe.description, survivorshipWarning: universe.survivorshipWarning, missing: data.missing },
        settings: { universe: 'technology', topN: 10, rebalance: 'semiannual', fill: 'open', commissionBps: 10, slippageBps: 10 },
      }));
      io.out([
        '== 3. Backtest: 52-week-high momentum, baseline vs regime-integrated (simulated market) ==',
        metricsTable(cmp),
        `Report: ${reportPath}`,
        `Regime at the latest rebalance: ${cmp.runs[1].result.rebalances.at(-1)?.regime ?? '-'} (allocation ${fmt.pct(cmp.runs[1].result.rebalances.at(-1)?.allocation, 0)})`,
        '',
      ].join('\n'));

      // The same plan and the same gates a paper rebalance uses, on the embedded paper broker, at a
      // simulated moment that fits the simulated data: 10:00 New York in the session after the
      // demo's last bar (the wall clock would make the 2024 data look years stale).
      const clock = new ManualClock(demoMoment(summary.to));
      const now = () => clock.now();
      const broker = createBroker({ kind: 'paper', account: 'DEMO', db: ctx.db(), bars: ctx.bars(), env: ctx.env, clock, secrets: ctx.secrets });
      const result = await runRebalance(
        { universe, topN: 5, account: 'DEMO', brokerKind: 'paper', dryRun: true, force: true },
        { broker, runs: new RunStore(ctx.db(), now), auditDir: ctx.dataDir, secrets: ctx.secrets, now, sleep: (ms) => clock.sleep(ms), store: ctx.bars() },
      );
      io.out([
        `== 4. Dry-run rebalance on the embedded paper broker (account DEMO, technology, top 5; simulated clock ${clock.now().toISOString()}, the session after the last bar) ==`,
        formatPlanReport(result),
        // The same simulated moment: on the wall clock the 2024 demo data is stale and pre-flight P4 refuses.
        `Nothing was sent. To trade it on the paper broker at the same simulated moment: ATLAS_CLOCK=${clock.now().toISOString()} ${followUp(program, 'rebalance --universe technology --top-n 5 --account DEMO --yes')}`,
        '',
        `== 5. Dashboard == See it all in a browser: ${followUp(program, 'dashboard')}`,
      ].join('\n'));
    });
}
