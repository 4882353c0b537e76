import { Option, type Command } from 'commander';
import type { Clock } from '../../core/clock.js';
import { AtlasError } from '../../core/errors.js';
import { createBroker, parseBrokerKind, type BrokerKind } from '../../execution/brokers/factory.js';
import { paperAccountName } from '../../execution/brokers/paper/index.js';
import { formatExecutionReport, formatPlanReport } from '../../execution/rebalance/report.js';
import { runRebalance, type OnTimeout, type RebalanceResult } from '../../execution/rebalance/orchestrator.js';
import { assertRunId } from '../../execution/rebalance/runId.js';
import { RunStore } from '../../execution/rebalance/runStore.js';
import { isRegime, REGIMES, type Regime } from '../../portfolio/allocation.js';
import { computeSignal } from '../../execution/rebalance/signal.js';
import { describeStrategy, rebalanceRequestOf, signalRequestOf, strategyJson } from '../../backtest/fromStrategy.js';
import { universeOf } from '../../strategy/universe.js';
import type { Cli } from '../main.js';
import { askYesNo } from '../prompt.js';
import { json } from '../output.js';
import { addStrategyOptions, deprecatedAlias, effectiveStrategy, strategyBaseDir, type FieldFlagName } from '../strategyOptions.js';
import { numFlag } from './strategyFlags.js';

interface RebalanceFlags {
  regimeOverride?: string;
  regime?: string;
  dryRun?: boolean;
  force?: boolean;
  account: string;
  broker: string;
  yes?: boolean;
  resume?: string;
  abandon?: string;
  onTimeout: string;
  fillTimeout: string;
  pollInterval: string;
  allowStale?: boolean;
  json?: boolean;
}

/** The strategy fields a live rebalance uses (the calendar, costs and fill model are the backtest's and the daemon's). */
const REBALANCE_FIELDS: readonly FieldFlagName[] = [
  'universe', 'universeFile', 'sector', 'constituents', 'topN', 'minDistance', 'lookback', 'volumeFilter', 'volumeMultiplier', 'volumeWindow',
  'regimeModel', 'regimeParams', 'regimeMode', 'allocation', 'sleeve', 'minNotional', 'maxPositionPct', 'regimeTolerance', 'strict',
  'buyPriceBuffer', 'priceBand',
];


function accountFor(kind: BrokerKind, raw: string): string {
  const name = paperAccountName(raw);
  if (kind === 'alpaca' && !['LARGE', 'MID', 'SMALL'].includes(name)) {
    throw new AtlasError(`--account ${raw.slice(0, 20)} is not an Alpaca account; use LARGE, MID or SMALL.`, { code: 'BAD_FLAG' });
  }
  return name;
}

/** JSON-safe view of a result (Dates as ISO strings). */
export function resultJson(r: RebalanceResult): unknown {
  return JSON.parse(json(r)) as unknown;
}

export function registerRebalanceCommand(program: Command, cli: Cli): void {
  const cmd = program
    .command('rebalance')
    .description('rebalance an account to the strategy: regime -> 52-week-high scan -> orders -> 7 gates -> SELLs then BUYs');
  addStrategyOptions(cmd, REBALANCE_FIELDS);
  cmd
    .addOption(new Option('--regime-override <regime>', `override the regime model (${REGIMES.join(', ')}); recorded as an override`))
    .addOption(new Option('--regime <regime>', 'deprecated: use --regime-override').hideHelp())
    .option('--dry-run', 'plan and validate only: print the scan, the orders and the gate report, send nothing')
    .option('--force', 'queue orders while the market is closed (gate 5 warns instead of failing)')
    .addOption(new Option('--broker <kind>', 'broker: paper (embedded simulator) or alpaca (Alpaca paper)').choices(['paper', 'alpaca']).default('paper'))
    .option('--account <name>', 'account: LARGE, MID or SMALL (paper also accepts any other name)', 'LARGE')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .option('--resume <runId>', 'reconcile and finish an interrupted or queued run (the same command the same day does this too)')
    .option('--abandon <runId>', 'close a run: reconcile it, cancel its working orders (asks, or --yes), end it ABANDONED so the command can run again')
    .addOption(new Option('--on-timeout <what>', 'orders still working at the fill timeout: cancel them, or leave them open').choices(['cancel', 'leave']).default('cancel'))
    .option('--fill-timeout <seconds>', 'how long each phase (SELLs, then BUYs) waits for fills', '300')
    .addOption(new Option('--poll-interval <seconds>', 'pause between order status polls').default('1').hideHelp())
    .option('--allow-stale', "trade even when the store's last bar is not the last completed session (pre-flight P4 warns instead of refusing)")
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
The strategy comes from --strategy FILE (default ./atlas.strategy.json when present, else the
built-in defaults); every flag above overrides its field (docs/strategy.md). The plan shows the
strategy's parameters and content hash; the run records the hash in its params and in the
audit log's RUN_START line, so it can be compared with the hash a backtest or sweep printed.

The run id is YYYYMMDD-<hash of account, broker, universe, top-n and regime override>, so the
same command on the same day finds its run again and reconciles it with the broker instead of
trading twice; client order ids are atlas-<runId>-<symbol>-<sell|buy>. Every step goes to
execution_log.csv in the data directory (read it with \`atlas log\`). See docs/rebalance.md.

Examples:
  $ atlas rebalance --strategy best.json --dry-run --force
  $ atlas rebalance --universe technology --top-n 3 --dry-run
  $ atlas rebalance --universe technology --top-n 3 --regime-override TREND_NEUTRAL --dry-run --force
  $ atlas rebalance --universe technology --top-n 3 --broker alpaca --account MID --yes
  $ atlas rebalance --resume 20261124-3f9a0c1e
  $ atlas rebalance --abandon 20261124-3f9a0c1e --yes

With --force outside market hours the orders are sent as day orders and the run ends "queued"
(exit 0) with the time of the next open; run --resume after the open to wait for the SELL fills
and send the BUYs. An abandoned run frees its command: the next run gets the id <runId>-2.`)
    .action(async (opts: RebalanceFlags & Record<string, unknown>, command: Command) => {
      const ctx = cli.context();
      if (opts.regime !== undefined) deprecatedAlias((t) => cli.io.note(t), '--regime <label>', '--regime-override');
      const overrideRaw = opts.regimeOverride ?? opts.regime;
      let regimeOverride: Regime | undefined;
      if (overrideRaw !== undefined) {
        const r = overrideRaw.trim().toUpperCase();
        if (!isRegime(r)) throw new AtlasError(`--regime-override must be one of ${REGIMES.join(', ')}, got "${overrideRaw}".`, { code: 'BAD_FLAG' });
        regimeOverride = r;
      }
      const eff = effectiveStrategy(command, opts);
      const strategy = eff.strategy;
      const fillTimeoutMs = numFlag('--fill-timeout', opts.fillTimeout, 0, 86_400) * 1000;
      const pollMs = numFlag('--poll-interval', opts.pollInterval, 0.01, 60) * 1000;
      const clock: Clock = ctx.clock;
      const runs = new RunStore(ctx.db(), clock);

      let kind = parseBrokerKind(opts.broker);
      let account = accountFor(kind, opts.account);
      if (opts.resume !== undefined && opts.abandon !== undefined) {
        throw new AtlasError('--resume and --abandon exclude each other; pick one.', { code: 'BAD_FLAG' });
      }
      let resumeRunId: string | undefined;
      let abandonRunId: string | undefined;
      const existing = opts.resume ?? opts.abandon;
      if (existing !== undefined) {
        resumeRunId = assertRunId(existing);
        const rec = runs.get(resumeRunId);
        if (!rec) {
          throw new AtlasError(`There is no rebalance run ${resumeRunId} in ${ctx.dataDir}; check the id with \`atlas log\` or start a new run without --resume.`, { code: 'RUN_NOT_FOUND' });
        }
        const explicit = (name: string) => command.getOptionValueSource(name) === 'cli';
        if (explicit('broker') && parseBrokerKind(opts.broker) !== rec.broker) {
          throw new AtlasError(`Run ${resumeRunId} was made with --broker ${rec.broker}; resume it with the same broker (or leave --broker out).`, { code: 'BAD_FLAG' });
        }
        if (explicit('account') && account !== rec.account) {
          throw new AtlasError(`Run ${resumeRunId} was made for account ${rec.account}; resume it with the same account (or leave --account out).`, { code: 'BAD_FLAG' });
        }
        kind = parseBrokerKind(rec.broker);
        account = rec.account;
        if (opts.abandon !== undefined) {
          abandonRunId = resumeRunId;
          resumeRunId = undefined;
        }
      }
      const universe = universeOf(strategy.universe, strategyBaseDir(eff));
      const signalRequest = signalRequestOf(strategy, universe, regimeOverride);
      // A dry run only looks: a paper account it names is read as new, never created.
      const broker = createBroker({ kind, account, db: ctx.db(), bars: ctx.bars(), env: ctx.env, clock, secrets: ctx.secrets, ...(opts.dryRun === true ? { paper: { createIfMissing: 'virtual' as const } } : {}) });
      const interactive = Boolean(process.stdin.isTTY) && cli.io.isTTY;
      const show = (text: string) => (opts.json ? cli.io.note(text) : cli.io.out(text));
      const strategyLine = `Strategy: ${eff.path ?? 'built-in defaults'}${eff.overrides.length ? ` with ${eff.overrides.join(', ')}` : ''}\n  ${describeStrategy(strategy, eff.hash)}\n  content hash ${eff.hash}`;
      if (!abandonRunId && !resumeRunId && !opts.json) cli.io.out(strategyLine);

      const result = await runRebalance(
        {
          ...rebalanceRequestOf(strategy, universe, { hash: eff.hash, ...(regimeOverride ? { regimeOverride } : {}) }),
          account,
          brokerKind: kind,
          dryRun: opts.dryRun === true,
          force: opts.force === true,
          yes: opts.yes === true,
          ...(resumeRunId ? { resumeRunId } : {}),
          ...(abandonRunId ? { abandonRunId } : {}),
          onTimeout: opts.onTimeout as OnTimeout,
          fillTimeoutMs,
          pollMs,
          allowStale: opts.allowStale === true,
        },
        {
          broker,
          runs,
          auditDir: ctx.dataDir,
          secrets: ctx.secrets,
          clock,
          store: ctx.bars(),
          signal: () => computeSignal(ctx.bars(), signalRequest),
          note: (t) => cli.io.note(`note: ${t}`),
          onPreview: (preview) => show(abandonRunId ? formatExecutionReport(preview) : formatPlanReport(preview)),
          ...(interactive
            ? {
                confirm: (p: RebalanceResult) =>
                  askYesNo(
                    abandonRunId
                      ? `Cancel the working order(s) of run ${p.runId} on ${kind} account ${account} and abandon the run? [y/N] `
                      : `Send ${p.plan?.orders.length ?? 0} order(s) to ${kind} account ${account} (run ${p.runId})? [y/N] `,
                  ),
              }
            : {}),
        },
      );

      ctx.log.info({ event: 'rebalance', runId: result.runId, outcome: result.outcome, summary: result.summary }, `rebalance ${result.runId}: ${result.outcome}`);
      if (opts.json) cli.io.out(json({ ...result, strategy: strategyJson(eff) }));
      else if (result.outcome === 'dry_run' || (result.outcome === 'stopped' && result.buyPhase === null && !result.resumed)) {
        if (result.signal || result.plan) cli.io.out(formatPlanReport(result));
        else cli.io.out(formatExecutionReport(result));
        if (result.outcome === 'dry_run') cli.io.out(`\nDry run: nothing was sent. Run the same command without --dry-run to trade (run id ${result.runId}).`);
      } else {
        if (result.outcome === 'nothing_to_do') cli.io.out(formatPlanReport(result));
        cli.io.out(formatExecutionReport(result));
      }

      if (result.outcome === 'stopped' && result.stoppedBy) {
        const g = result.stoppedBy;
        throw new AtlasError(`Run ${result.runId} stopped before sending ${result.buyPhase ? 'the BUYs' : 'any order'}: gate ${g.gate} (${g.name}) failed: ${g.reason}.`, { code: 'GATE_FAILED' });
      }
      if (result.outcome === 'queued' && !opts.json) {
        cli.io.out(`\nQueued: the market is closed${result.queued?.nextOpen ? `; it opens ${result.queued.nextOpen}` : ''}. After the open run \`${result.queued?.resume ?? `atlas rebalance --resume ${result.runId}`}\`.`);
      }
      if (result.outcome === 'declined') cli.fail(1);
      if (result.summary.rejected > 0) cli.fail(1);
    });
}
