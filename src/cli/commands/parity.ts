/**
 * @module `atlas parity`: the live (or replayed) account beside a backtest of the same strategy:
 * per-fill implementation shortfall, tracking difference, correlation, matched orders and the
 * days that diverged most (src/operations/parity/).
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AtlasError, describeError } from '../../core/errors.js';
import { RunStore } from '../../execution/rebalance/runStore.js';
import { loadDeployments, loadOperationsConfig } from '../../operations/config.js';
import { DecisionStore } from '../../operations/daemon/decisions.js';
import { backtestOfStrategy } from '../../operations/parity/backtestOf.js';
import { parityHtml } from '../../operations/parity/html.js';
import { buildParityReport, fillShortfalls, liveOrdersOf, shareFactorOf } from '../../operations/parity/parity.js';
import { parityStart } from '../../operations/parity/start.js';
import { REPLAY_MARKER, type ReplayMarker } from '../../operations/replay/replay.js';
import { SnapshotStore } from '../../operations/snapshots/snapshotStore.js';
import { loadStrategyFile, type LoadedStrategy } from '../../strategy/index.js';
import type { Cli } from '../main.js';
import { json } from '../output.js';
import { exportTargets, outOption, writeJsonExport } from '../exportOut.js';
import { writeUserFile } from '../userFile.js';

export function registerParityCommand(program: Command, cli: Cli): void {
  program
    .command('parity')
    .description('compare an account (its snapshots and fills) with a backtest of the same strategy')
    .option('--account <name>', 'the account (default: the only one with snapshots)')
    .option('--strategy <file>', 'the strategy file (default: the replay\'s, else the deployed one)')
    .option('--json', 'print the report as JSON')
    .addOption(outOption({ html: 'a self-contained report', json: 'the report as --json prints it' }))
    .option('--report <file>', 'deprecated: use --out FILE.html')
    .addHelpText('after', `
Examples:
  $ atlas parity --account LARGE
  $ atlas parity --data-dir .atlas/replays/2019-01-02_2020-12-31_ab12cd34 --out parity.html`)
    .action((flags: { account?: string; strategy?: string; json?: boolean; report?: string; out?: string[] }) => {
      const out = exportTargets(flags, ['html', 'json'], cli.io, [{ flag: '--report', key: 'report', format: 'html' }]);
      const ctx = cli.context();
      const db = ctx.db();
      const snaps = new SnapshotStore(db);
      const accounts = snaps.listAccounts();
      const want = flags.account?.toUpperCase();
      const chosen = want ? accounts.find((a) => a.account === want) : accounts.length === 1 ? accounts[0] : undefined;
      if (!chosen) {
        throw new AtlasError(
          accounts.length === 0 ? `No account snapshots in ${ctx.dataDir}; run \`atlas run\` or \`atlas replay\` first.` : `Pass --account: snapshots exist for ${accounts.map((a) => a.account).join(', ')}${want ? ` (not ${want})` : ''}.`,
          { code: 'NO_SNAPSHOTS' },
        );
      }
      const strategy = strategyFor(ctx.dataDir, chosen.account, flags.strategy);
      const all = snaps.between(chosen.broker, chosen.account, '0000-01-01', '9999-12-31');
      const notes: string[] = [];
      const start = parityStart(all, new DecisionStore(db).list(chosen.account).find((d) => d.kind === 'scan')?.session);
      if (start.note) notes.push(start.note);
      const list = start.snapshots;
      const live = list.filter((s) => s.source !== 'missing');
      if (list.length > live.length) notes.push(`${list.length - live.length} session(s) have no snapshot (marked missing): left out of the comparison`);
      const hashes = new Set(live.map((s) => s.strategyHash).filter(Boolean));
      if (hashes.size > 1 || (hashes.size === 1 && !hashes.has(strategy.hash))) notes.push(`the snapshots were taken under strategy hash(es) ${[...hashes].map((h) => h!.slice(0, 8)).join(', ')}; the backtest uses ${strategy.hash.slice(0, 8)}`);
      let backtest = null;
      if (live.length >= 2) {
        try {
          backtest = backtestOfStrategy(ctx.bars(), strategy, { from: live[0].session, to: live.at(-1)!.session, initialCash: live[0].equity });
        } catch (err) {
          notes.push(`backtest failed: ${describeError(err)}`);
        }
      }
      notes.push(priceNote(ctx.dataDir));
      const costBps = strategy.strategy.costs.slippageBps + strategy.strategy.costs.commissionBps;
      if (strategy.strategy.gates.buyPriceBuffer * 10_000 > costBps + 1e-9) {
        notes.push(`live BUYs are costed at the last price plus gates.buyPriceBuffer (${(strategy.strategy.gates.buyPriceBuffer * 100).toFixed(2)}%) and scaled to the cash; the backtest costs them at its slippage and commission (${costBps} bps): a rebalance that needs nearly all the cash buys up to a share less per name live, and that cash is part of the equity gap`);
      }
      const report = buildParityReport({ account: chosen.account, broker: chosen.broker, snapshots: list, fills: fillShortfalls(new RunStore(db, ctx.clock), ctx.bars(), chosen.account, chosen.broker), backtest, notes, shareFactor: shareFactorOf(ctx.bars()), liveOrders: liveOrdersOf(new RunStore(db, ctx.clock), chosen.account, chosen.broker) });
      if (out.html) {
        writeUserFile(out.html, parityHtml(report));
        cli.io.note(`Wrote the report to ${out.html}.`);
      }
      if (out.json) writeJsonExport(cli.io, out.json, json(report), 'the report');
      if (flags.json) {
        cli.io.out(json(report));
        return;
      }
      const p = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(3)}%`);
      const b = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)} bps`);
      cli.io.out(`${chosen.broker} ${chosen.account}, ${report.from ?? '?'} .. ${report.to ?? '?'}`);
      cli.io.out(`  account ${p(report.liveReturn)}, backtest ${p(report.backtestReturn)}: tracking difference ${p(report.trackingDifference)}, final equity gap ${p(report.finalEquityGap)}, correlation ${report.correlation?.toFixed(4) ?? 'n/a'}`);
      cli.io.out(`  shortfall over ${report.fills.length} fills: ${b(report.cumulative.vsCloseBps)} vs the decision close, ${b(report.cumulative.vsOpenBps)} vs the next open`);
      cli.io.out(`  orders: ${report.ordersMatched} of ${report.ordersTotal} match the backtest (symbol, side, quantity within one share)`);
      for (const o of report.orders.filter((x) => x.verdict !== 'same')) cli.io.out(`    ${o.date} ${o.side} ${o.symbol}: account ${o.liveQty ?? '-'}, backtest ${o.backtestQty ?? '-'} (${o.verdict}): ${o.reason ?? ''}`);
      for (const d of report.divergentDays) cli.io.out(`  ${d.date}: account ${p(d.liveReturn)} vs backtest ${p(d.backtestReturn)}: ${d.reasons.join('; ')}`);
      for (const n of report.notes) cli.io.note(`note: ${n}`);
    });
}

function strategyFor(dataDir: string, account: string, explicit?: string): LoadedStrategy {
  if (explicit) return loadStrategyFile(resolve(explicit));
  const marker = join(dataDir, REPLAY_MARKER);
  if (existsSync(marker)) return loadStrategyFile((JSON.parse(readFileSync(marker, 'utf8')) as ReplayMarker).strategyFile);
  const ops = loadOperationsConfig(dataDir);
  const d = loadDeployments(ops.run.strategies).find((x) => x.accounts.some((a) => a.account === account));
  if (!d) throw new AtlasError(`No deployed strategy trades ${account}; pass --strategy FILE.`, { code: 'NO_DEPLOYMENT' });
  return d.strategy;
}

/** What the two sides' shares are, for the notes: a replay trades the backtest's share unless it was run on raw prices. */
function priceNote(dataDir: string): string {
  const marker = join(dataDir, REPLAY_MARKER);
  const prices = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as ReplayMarker).prices ?? 'raw' : null;
  if (prices === 'adjusted') return 'this replay traded adjusted prices, the backtest\'s price space: a share is the same share on both sides and dividends and splits are in the prices of both; what remains is whole-share rounding, slippage and cash';
  return 'the backtest trades adjusted shares and earns dividends through adjusted prices; the account trades raw shares (the paper broker books no dividends or splits), so quantities differ by the adjustment factor and equity by the dividends';
}
