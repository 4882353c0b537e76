import type { Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { loadUniversePanel } from '../../selection/universePanel.js';
import { indexOnOrBefore } from '../../regime/fromStore.js';
import { scanMomentum, type MomentumScan } from '../../selection/momentum52w.js';
import { listSome } from '../../core/text.js';
import type { Cli } from '../main.js';
import { checkDateFlag, parseDateFlag } from '../dateFlags.js';
import { fmt, json, table } from '../output.js';
import { shortHash } from '../../strategy/hash.js';
import { momentumOptionsOf, strategyJson } from '../../backtest/fromStrategy.js';
import { universeOf } from '../../strategy/universe.js';
import { addStrategyOptions, effectiveStrategy, strategyBaseDir, type FieldFlagName } from '../strategyOptions.js';

export interface ScanFlags {
  asOf?: string;
  json?: boolean;
}

/** The strategy fields a scan uses: the universe and the scanner. */
const SCAN_FIELDS: readonly FieldFlagName[] = ['universe', 'universeFile', 'sector', 'constituents', 'topN', 'minDistance', 'lookback', 'volumeFilter', 'volumeMultiplier', 'volumeWindow'];

export function scanTable(scan: MomentumScan): string {
  return table(
    ['rank', 'symbol', 'close', 'adj close', '52w high (adj)', 'distance', '>= min', 'volume', 'selected', 'note'],
    scan.rows.map((r) => [
      r.rank ?? '-', r.symbol, fmt.price(r.close), fmt.price(r.adjClose), fmt.price(r.high52), fmt.pct(r.distance, 1),
      r.passedDistance ? 'yes' : 'no', r.passedVolume ? 'yes' : 'no', r.selected ? '*' : '', r.reason ?? '',
    ]),
  );
}

export function registerScanCommand(program: Command, cli: Cli): void {
  const cmd = program
    .command('scan')
    .description('rank a universe by 52-week-high momentum (close / 52-week high) on a date');
  addStrategyOptions(cmd, SCAN_FIELDS);
  cmd
    .option('--as-of <date>', 'scan at the close of this date (default: latest data)')
    .option('--json', 'print as JSON')
    .addHelpText('after', `
The 52-week high is the max of the daily high over the last 252 sessions (split- and dividend-
adjusted, compared with the adjusted close); a stock needs 252 sessions of history.

The universe and the scanner settings come from --strategy FILE (default ./atlas.strategy.json
when present, else the built-in defaults); a flag overrides its field (docs/strategy.md).

Examples:
  $ atlas scan --strategy atlas.strategy.json
  $ atlas scan --universe technology --top-n 10
  $ atlas scan --universe healthcare --as-of 2020-08-03 --json
  $ atlas scan --universe-file my_list.txt --volume-filter`)
    .action((opts: ScanFlags & Record<string, unknown>, command: Command) => {
      const ctx = cli.context();
      const eff = effectiveStrategy(command, opts);
      const universe = universeOf(eff.strategy.universe, strategyBaseDir(eff));
      const asOf = checkDateFlag(ctx.bars(), '--as-of', parseDateFlag('--as-of', opts.asOf));
      const momentum = momentumOptionsOf(eff.strategy);
      const { topN, minDistance } = momentum;
      const data = loadUniversePanel(ctx.bars(), universe, { to: asOf, latestOnly: true, lookback: momentum.lookback, withVolume: momentum.volumeFilter });
      const t = asOf ? indexOnOrBefore(data.panel.dates, asOf) : data.panel.dates.length - 1;
      if (t < 0) throw new AtlasError(`No data on or before ${asOf}; choose a later --as-of.`, { code: 'NO_DATA' });
      const scan = scanMomentum(data.panel, t, momentum, universe.isMember);
      if (opts.json) {
        cli.io.out(json({ strategy: strategyJson(eff), universe: { name: universe.name, description: universe.description, survivorshipWarning: universe.survivorshipWarning ?? null, missing: data.missing }, ...scan }));
        return;
      }
      cli.io.out([
        `52-week-high scan of ${universe.name} at the close of ${scan.date}: top ${topN} of ${scan.rows.filter((r) => r.eligible).length} eligible (min distance ${fmt.pct(minDistance, 0)}${momentum.volumeFilter ? `, volume > ${momentum.volumeMultiplier}x its ${momentum.volumeWindow}-session average` : ''}); strategy hash ${shortHash(eff.hash)}`,
        scanTable(scan),
      ].join('\n'));
      if (data.missing.length) cli.io.note(`No data stored for ${listSome(data.missing)}: never eligible.`);
      if (universe.survivorshipWarning) cli.io.note(`note: ${universe.survivorshipWarning}`);
    });
}
