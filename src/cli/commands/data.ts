import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { nyDateOf } from '../../calendar/nyse.js';
import { AtlasError } from '../../core/errors.js';
import { expandImportPaths, importCsvFiles, parseSymbolPattern } from '../../data/importCsv.js';
import { UNADJUSTED_SOURCE } from '../../data/unadjusted.js';
import { checkBars } from '../../data/quality.js';
import { canonicalSymbol } from '../../data/providers/symbols.js';
import { createProvider } from '../../data/providers/index.js';
import type { ProviderName } from '../../data/providers/provider.js';
import { syncSymbols } from '../../data/sync.js';
import { installDemoMarket } from '../../data/demoInstall.js';
import type { Cli } from '../main.js';
import { checkDateFlag, parseDateFlag } from '../dateFlags.js';
import { fmt, json, table } from '../output.js';
import { createProgress } from '../progress.js';

/** A file full of bad rows should not bury the summary; --json lists every rejected line. */
const MAX_WARNINGS_SHOWN = 20;

export function parseSymbolList(raw: string): string[] {
  const list = raw.split(/[\s,]+/).filter(Boolean).map(canonicalSymbol);
  if (list.length === 0) throw new AtlasError('--symbols is empty; pass a comma-separated list such as SPY,VIX,AAPL.', { code: 'BAD_FLAG' });
  return [...new Set(list)];
}

export function registerDataCommands(program: Command, cli: Cli): void {
  const data = program.command('data').description('market data: import CSVs, sync from providers, list and check what is stored');

  data
    .command('import')
    .description('import daily-bar CSV files (or folders of them); the symbol comes from each file name')
    .argument('<paths...>', 'CSV files or directories')
    .option('--json', 'print the import report as JSON')
    .option('--symbol-from <regex>', 'take the ticker from the first capture group of this pattern matched against each file name')
    .option('--unadjusted', 'accept files without an adjusted close (adjusted = raw); the symbols are marked, and data check and every backtest warn')
    .addHelpText('after', `
Columns are recognised by header in any order: Date/DATE/timestamp, Open, High, Low, Close,
Adj Close/adjusted_close, Volume (Date, Close and Adj Close are required; a file without an
adjusted close is refused unless --unadjusted is given). Files that are not price
files (calendars, sector lists) are skipped with a note. Each file replaces its symbol's history.
Rows dated after today (New York), with a non-positive price, high < low, or open/close outside
[low, high] by more than max(1 cent, 0.5%) are rejected with a warning naming file and line; the
rest of the file is imported (docs/providers.md, "Bad data"). Files are read in chunks, so a
file of any size imports in bounded memory. Vendor file names that are not the bare ticker
(DA-AAPL-T-2021-04-21.csv) need --symbol-from; two files naming one symbol: the second fails.

Examples:
  $ atlas data import ../shared/data ../shared/data/stocks
  $ atlas data import ~/prices/AAPL.csv --json
  $ atlas data import ~/vendor --symbol-from '^DA-([A-Z.]+)-'`)
    .action((paths: string[], opts: { json?: boolean; symbolFrom?: string; unadjusted?: boolean }) => {
      const symbolFrom = opts.symbolFrom === undefined ? undefined : parseSymbolPattern(opts.symbolFrom);
      const ctx = cli.context();
      const files = expandImportPaths(paths);
      const progress = createProgress(cli.io, files.length, 'import', !opts.json && files.length > 1);
      const report = importCsvFiles(ctx.bars(), files, { onFile: (file, i) => progress.update(i + 1, basename(file)), clock: { now: ctx.now }, symbolFrom, unadjusted: opts.unadjusted === true });
      progress.stop();
      ctx.log.info({ event: 'import', imported: report.imported.length, skipped: report.skipped.length, rejected: report.rejected.length, failed: report.failed.length }, 'import finished');
      if (opts.json) {
        cli.io.out(json(report));
      } else {
        for (const s of report.skipped) cli.io.note(`skipped ${s.file}: ${s.reason}`);
        for (const w of report.warnings.slice(0, MAX_WARNINGS_SHOWN)) cli.io.note(`warning: ${w}`);
        if (report.warnings.length > MAX_WARNINGS_SHOWN) cli.io.note(`... and ${report.warnings.length - MAX_WARNINGS_SHOWN} more warnings (all of them with --json).`);
        for (const f of report.failed) cli.io.note(`failed ${f.file}: ${f.error}`);
        const bars = report.imported.reduce((a, r) => a + r.bars, 0);
        cli.io.out(`Imported ${report.imported.length} symbols (${fmt.int(bars)} bars) into ${ctx.dataDir}; rejected ${report.rejected.length} lines; skipped ${report.skipped.length} non-price files; ${report.failed.length} failed.`);
      }
      if (report.failed.length > 0) cli.fail(1);
    });

  data
    .command('list')
    .description('list stored symbols with their date range, bar count and source')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  $ atlas data list --json')
    .action((opts: { json?: boolean }) => {
      const ctx = cli.context();
      const symbols = ctx.bars().listSymbols();
      if (opts.json) {
        cli.io.out(json(symbols.map(({ symbol, source, firstDate, lastDate, barCount }) => ({ symbol, source, from: firstDate, to: lastDate, bars: barCount }))));
        return;
      }
      if (symbols.length === 0) {
        cli.io.out(`No data in ${ctx.dataDir}; run \`atlas data demo\`, \`atlas data import PATH\` or \`atlas data sync\`.`);
        return;
      }
      cli.io.out(table(['symbol', 'from', 'to', 'bars', 'source'], symbols.map((s) => [s.symbol, s.firstDate, s.lastDate, fmt.int(s.barCount), s.source])));
    });

  data
    .command('check')
    .description('data-quality report against the NYSE calendar')
    .option('--symbols <list>', 'comma-separated symbols (default: all stored)')
    .option('--as-of <date>', 'date the data should be current to, for the stale check (default: today, New York)')
    .option('--json', 'print as JSON')
    .addHelpText('after', `
Flags missing sessions, bars on non-trading days, non-positive or inconsistent OHLC, a stale last
bar, one-session moves at a split's ratio (2:1, 3:2, 1:10 ...) whatever their size (a possible
unadjusted split), other moves over 50%, and symbols imported with --unadjusted.

Examples:
  $ atlas data check
  $ atlas data check --symbols SPY,VIX --json`)
    .action((opts: { symbols?: string; asOf?: string; json?: boolean }) => {
      const ctx = cli.context();
      const store = ctx.bars();
      const asOf = checkDateFlag(ctx.bars(), '--as-of', parseDateFlag('--as-of', opts.asOf)) ?? nyDateOf(ctx.now());
      const symbols = opts.symbols ? parseSymbolList(opts.symbols) : store.listSymbols().map((s) => s.symbol);
      const unknown = symbols.filter((s) => !store.hasSymbol(s));
      if (unknown.length) throw new AtlasError(`No data stored for ${unknown.join(', ')}; import or sync it first (see \`atlas data list\`).`, { code: 'NO_DATA' });
      const reports = symbols.map((s) => checkBars(s, store.getBars(s), { asOf, unadjusted: store.symbolInfo(s)?.source === UNADJUSTED_SOURCE }));
      if (opts.json) {
        cli.io.out(json(reports));
      } else {
        cli.io.out(table(
          ['symbol', 'from', 'to', 'bars', 'missing', 'non-trading', 'bad OHLC', '>50% moves', 'stale', 'ok'],
          reports.map((r) => [r.symbol, r.from, r.to, fmt.int(r.bars), r.missingSessions, r.nonTradingDayBars, r.badOhlc, r.largeMoves, r.stale ? 'yes' : 'no', r.ok ? 'ok' : 'ISSUES']),
        ));
        for (const r of reports) for (const i of r.issues.slice(0, 5)) if (i.kind !== 'stale') cli.io.note(`${r.symbol} ${i.date} ${i.kind}: ${i.detail}`);
      }
    });

  data
    .command('sync')
    .description('download what the store lacks from a provider (incremental)')
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. SPY,VIX,AAPL')
    .addOption(new Option('--provider <name>', 'data provider').choices(['auto', 'tiingo', 'yahoo', 'alpaca']).default('auto'))
    .option('--from <date>', 'first date wanted', '2000-01-01')
    .option('--to <date>', 'last date wanted (default: the last completed session)')
    .option('--json', 'print the sync report as JSON')
    .addHelpText('after', `
Only the missing tail is fetched; a rerun right after a sync fetches nothing. A split or dividend
in the new bars triggers a full re-download of that symbol. Transient failures (timeouts, 429,
5xx) are retried with backoff; a bad symbol is reported at the end with a non-zero exit.
Keys: TIINGO_API_KEY for tiingo; ALPACA_LARGE_KEY/ALPACA_LARGE_SECRET (or APCA_API_KEY_ID/APCA_API_SECRET_KEY) for alpaca; yahoo needs none.

Examples:
  $ atlas data sync --symbols SPY,VIX,AAPL --provider auto --from 2000-01-01
  $ atlas data sync --symbols BRK-B --provider yahoo --json`)
    .action(async (opts: { symbols: string; provider: ProviderName; from: string; to?: string; json?: boolean }) => {
      const ctx = cli.context();
      const symbols = parseSymbolList(opts.symbols);
      const from = parseDateFlag('--from', opts.from)!;
      const to = parseDateFlag('--to', opts.to);
      if (to && to < from) throw new AtlasError(`--to ${to} is before --from ${from}; the range is empty.`, { code: 'BAD_FLAG' });
      const provider = createProvider(opts.provider, ctx.env, {
        log: (msg: string) => cli.io.note(msg),
        baseUrls: { tiingo: ctx.env.ATLAS_TIINGO_URL, yahoo: ctx.env.ATLAS_YAHOO_URL, alpacaData: ctx.env.ATLAS_ALPACA_DATA_URL },
      });
      const progress = createProgress(cli.io, symbols.length, `sync (${opts.provider})`, !opts.json);
      const results = await syncSymbols(ctx.bars(), provider, {
        symbols, from, to, now: ctx.now,
        onProgress: (done, total, symbol, r) => {
          progress.update(done, symbol);
          if (r) ctx.log.info({ event: 'sync', provider: opts.provider, ...r }, `sync ${symbol}: ${r.status}`);
          if (r) progress.line(`[${done}/${total}] ${symbol}: ${r.status}${r.newBars ? ` (+${r.newBars} bars)` : ''}${r.error ? ` - ${r.error}` : ''}`);
        },
      });
      progress.stop();
      const failed = results.filter((r) => r.status === 'failed');
      if (opts.json) {
        cli.io.out(json({ provider: opts.provider, results }));
      } else {
        cli.io.out(table(['symbol', 'status', 'new bars', 'from', 'to', 'note'], results.map((r) => [r.symbol, r.status, r.newBars, r.from, r.to, r.error ?? r.note])));
        if (failed.length) cli.io.note(`${failed.length} of ${results.length} symbols failed: ${failed.map((f) => f.symbol).join(', ')}.`);
      }
      if (failed.length) cli.fail(1);
    });

  data
    .command('demo')
    .description('build the deterministic SIMULATED demo market (SPY, VIX, 80+ stocks, 25 years) into the store')
    .option('--seed <n>', 'random seed', '42')
    .option('--force', 'overwrite symbols that hold non-demo data')
    .option('--json', 'print a summary as JSON')
    .addHelpText('after', '\nExample:\n  $ atlas data demo && atlas data list')
    .action((opts: { seed: string; force?: boolean; json?: boolean }) => {
      const ctx = cli.context();
      const summary = installDemoMarket(ctx.bars(), { seed: Number(opts.seed), force: opts.force ?? false });
      if (opts.json) cli.io.out(json(summary));
      else cli.io.out(summary.lines.join('\n'));
    });
}
