import { Option, type Command } from 'commander';
import { systemClock, type Clock } from '../../core/clock.js';
import { AtlasError } from '../../core/errors.js';
import type { Broker, Order } from '../../execution/brokers/broker.js';
import { createBroker, parseBrokerKind, type BrokerKind } from '../../execution/brokers/factory.js';
import { PaperBroker, paperAccountName, type PaperFillPolicy } from '../../execution/brokers/paper/index.js';
import type { Cli } from '../main.js';
import { askYesNo } from '../prompt.js';
import { fmt, json, table } from '../output.js';

interface BrokerFlags {
  broker: string;
  account: string;
  json?: boolean;
}

const BROKER_HELP = `
--broker paper (default) is the embedded paper broker: cash, positions and orders live in the
Atlas store and are priced from its bars; no keys, no network. --broker alpaca talks to Alpaca
paper trading with ALPACA_<ACCOUNT>_KEY / ALPACA_<ACCOUNT>_SECRET (or APCA_API_KEY_ID /
APCA_API_SECRET_KEY).`;

function addBrokerFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--broker <kind>', 'broker: paper (embedded simulator) or alpaca (Alpaca paper)').choices(['paper', 'alpaca']).default('paper'))
    .option('--account <name>', 'account: LARGE, MID or SMALL (paper also accepts any other name)', 'LARGE')
    .option('--json', 'print as JSON');
}

function accountFlag(kind: BrokerKind, raw: string): string {
  const name = paperAccountName(raw);
  if (kind === 'alpaca' && !['LARGE', 'MID', 'SMALL'].includes(name)) {
    throw new AtlasError(`--account ${raw.slice(0, 20)} is not an Alpaca account; use LARGE, MID or SMALL.`, { code: 'BAD_FLAG' });
  }
  return name;
}

/** The command's clock: the context's time (tests pin it) with real waiting. */
function cliClock(now: () => Date): Clock {
  return { now, sleep: systemClock.sleep };
}

/**
 * The broker of a read-only command (account, positions, orders, status): a paper account is
 * opened only when it exists, never created with default cash by looking at it.
 */
export function openBroker(cli: Cli, flags: Pick<BrokerFlags, 'broker' | 'account'>): { broker: Broker; kind: BrokerKind; account: string } {
  const ctx = cli.context();
  const kind = parseBrokerKind(flags.broker);
  const account = accountFlag(kind, flags.account);
  const broker = kind === 'paper'
    ? new PaperBroker({ db: ctx.db(), bars: ctx.bars(), account, clock: cliClock(ctx.now), createIfMissing: false })
    : createBroker({ kind, account, db: ctx.db(), bars: ctx.bars(), env: ctx.env, clock: cliClock(ctx.now), secrets: ctx.secrets });
  return { broker, kind, account };
}

function orderRow(o: Order): (string | number)[] {
  return [
    o.submittedAt.toISOString().replace('T', ' ').slice(0, 16),
    o.symbol,
    o.side,
    fmt.shares(o.qty),
    o.type === 'limit' ? `limit ${fmt.price(o.limitPrice)}` : o.type,
    o.status,
    fmt.shares(o.filledQty),
    fmt.price(o.filledAvgPrice),
    o.clientOrderId.length > 24 ? `${o.clientOrderId.slice(0, 23)}…` : o.clientOrderId,
  ];
}


export function registerAccountCommands(program: Command, cli: Cli): void {
  addBrokerFlags(program.command('account').description('show an account: cash, buying power, equity, status'))
    .addHelpText('after', `${BROKER_HELP}

Examples:
  $ atlas account                         the embedded paper account LARGE
  $ atlas account --account SMALL --json
  $ atlas account --broker alpaca --account MID`)
    .action(async (flags: BrokerFlags) => {
      const { broker, kind, account } = openBroker(cli, flags);
      const a = await broker.getAccount();
      const extra = broker instanceof PaperBroker ? broker.accountInfo() : undefined;
      if (flags.json) {
        cli.io.out(json({
          broker: kind, account, ...a,
          ...(extra ? { initialCash: extra.initialCash, pnl: a.equity - extra.initialCash, allowFractional: extra.allowFractional, drills: extra.fillPolicy, resetAt: extra.resetAt } : {}),
        }));
        return;
      }
      const rows: (string | number)[][] = [
        ['broker', kind === 'paper' ? 'paper (embedded)' : 'alpaca (paper)'],
        ['account', `${account} (${a.id})`],
        ['status', a.tradingBlocked ? `${a.status} (trading blocked)` : a.status],
        ['cash', fmt.money(a.cash)],
        ['buying power', fmt.money(a.buyingPower)],
        ['equity', fmt.money(a.equity)],
      ];
      if (extra) {
        rows.push(['initial cash', fmt.money(extra.initialCash)]);
        rows.push(['P&L since reset', `${fmt.money(a.equity - extra.initialCash)} (${fmt.pct(extra.initialCash > 0 ? a.equity / extra.initialCash - 1 : null)})`]);
        const drills = Object.keys(extra.fillPolicy).length ? JSON.stringify(extra.fillPolicy) : 'none';
        rows.push(['drills', drills]);
      }
      cli.io.out(table(['field', 'value'], rows, { align: ['left', 'right'] }));
    });

  addBrokerFlags(program.command('positions').description('list positions with prices, weights and unrealised P&L'))
    .addHelpText('after', `${BROKER_HELP}
Paper positions are valued at the latest raw close in the store; weight is market value / equity.

Examples:
  $ atlas positions
  $ atlas positions --account MID --json
  $ atlas positions --broker alpaca`)
    .action(async (flags: BrokerFlags) => {
      const { broker, kind, account } = openBroker(cli, flags);
      const [a, positions] = [await broker.getAccount(), await broker.getPositions()];
      const rows = positions.map((p) => {
        const pnl = (p.currentPrice - p.avgEntryPrice) * p.qty;
        const cost = p.avgEntryPrice * p.qty;
        return {
          symbol: p.symbol, qty: p.qty, avgPrice: p.avgEntryPrice, lastPrice: p.currentPrice, marketValue: p.marketValue,
          weight: a.equity > 0 ? p.marketValue / a.equity : null, unrealisedPnl: pnl, unrealisedPnlPct: cost !== 0 ? pnl / Math.abs(cost) : null,
        };
      });
      if (flags.json) {
        cli.io.out(json({ broker: kind, account, equity: a.equity, cash: a.cash, positions: rows }));
        return;
      }
      if (rows.length === 0) {
        cli.io.out(`No positions in ${kind} account ${account}; cash ${fmt.money(a.cash)}.`);
        return;
      }
      cli.io.out(table(
        ['symbol', 'qty', 'avg price', 'last price', 'market value', 'weight', 'unrealised P&L', 'P&L %'],
        rows.map((r) => [r.symbol, fmt.shares(r.qty), fmt.price(r.avgPrice), fmt.price(r.lastPrice), fmt.money(r.marketValue), fmt.pct(r.weight), fmt.money(r.unrealisedPnl), fmt.pct(r.unrealisedPnlPct)]),
      ));
      cli.io.out(`cash ${fmt.money(a.cash)} (${fmt.pct(a.equity > 0 ? a.cash / a.equity : null)}), equity ${fmt.money(a.equity)}`);
    });

  addBrokerFlags(program.command('orders').description('list orders (open by default)'))
    .addOption(new Option('--status <which>', 'open orders only, or all orders (paper only)').choices(['open', 'all']).default('open'))
    .option('--limit <n>', 'show at most N orders (newest first)', '50')
    .addHelpText('after', `${BROKER_HELP}
--status all lists filled, canceled, expired and rejected orders too (paper broker only).

Examples:
  $ atlas orders
  $ atlas orders --status all --limit 20
  $ atlas orders --broker alpaca --account SMALL --json`)
    .action(async (flags: BrokerFlags & { status: 'open' | 'all'; limit: string }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new AtlasError(`--limit must be a whole number >= 1, got "${flags.limit}".`, { code: 'BAD_FLAG' });
      const { broker, kind, account } = openBroker(cli, flags);
      let orders: Order[];
      if (broker instanceof PaperBroker) {
        orders = broker.listOrdersNow({ status: flags.status, limit });
      } else {
        if (flags.status === 'all') throw new AtlasError('--status all is available for the paper broker only; Alpaca orders can be browsed on the Alpaca dashboard.', { code: 'BAD_FLAG' });
        orders = (await broker.listOpenOrders()).reverse().slice(0, limit);
      }
      if (flags.json) {
        cli.io.out(json({ broker: kind, account, status: flags.status, orders }));
        return;
      }
      if (orders.length === 0) {
        cli.io.out(`No ${flags.status === 'open' ? 'open ' : ''}orders in ${kind} account ${account}.`);
        return;
      }
      cli.io.out(table(['submitted (UTC)', 'symbol', 'side', 'qty', 'type', 'status', 'filled', 'avg fill', 'client id'], orders.map(orderRow), {
        align: ['left', 'left', 'left', 'right', 'left', 'left', 'right', 'right', 'left'],
      }));
      for (const o of orders) if (o.rejectReason) cli.io.note(`${o.symbol} ${o.status}: ${o.rejectReason}`);
    });

  const paper = program.command('paper').description('manage the embedded paper broker');
  paper
    .command('reset')
    .description('start a paper account over: set its cash, drop its positions, cancel its open orders')
    .requiredOption('--cash <amount>', 'starting cash, e.g. 100000')
    .option('--account <name>', 'paper account: LARGE, MID, SMALL or any name', 'LARGE')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', 'print the new account as JSON')
    .addHelpText('after', `
Open orders are canceled (recorded as canceled, so a rebalance run that placed them reconciles
cleanly); the order history is kept. Drills configured for the account are kept. Without --yes the command asks for confirmation on
a terminal and refuses otherwise.

Examples:
  $ atlas paper reset --cash 100000
  $ atlas paper reset --cash 25000 --account SMALL --yes`)
    .action(async (opts: { cash: string; account: string; yes?: boolean; json?: boolean }) => {
      const cash = Number(opts.cash.replace(/[_,]/g, ''));
      if (!Number.isFinite(cash) || cash < 0) throw new AtlasError(`--cash must be a non-negative amount such as 100000, got "${opts.cash}".`, { code: 'BAD_FLAG' });
      const account = paperAccountName(opts.account);
      if (!opts.yes) {
        if (!process.stdin.isTTY || !cli.io.isTTY) {
          throw new AtlasError(`Refusing to reset paper account ${account} without confirmation; pass --yes to drop its positions and cancel its open orders.`, { code: 'CONFIRMATION_REQUIRED', exitCode: 2 });
        }
        const ok = await askYesNo(`Reset paper account ${account} to ${fmt.money(cash)}, dropping its positions and canceling its open orders? [y/N] `);
        if (!ok) {
          cli.io.note('Reset canceled; nothing changed.');
          cli.fail(1);
          return;
        }
      }
      const ctx = cli.context();
      const broker = new PaperBroker({ db: ctx.db(), bars: ctx.bars(), account, clock: cliClock(ctx.now), initialCash: cash });
      const canceled = broker.reset(cash);
      const info = broker.accountInfo();
      if (opts.json) {
        cli.io.out(json({ account, cash: info.cash, initialCash: info.initialCash, resetAt: info.resetAt, drills: info.fillPolicy, canceledOrders: canceled }));
        return;
      }
      const open = canceled.length === 0 ? 'no open orders' : `${canceled.length} open order(s) canceled (${canceled.map((o) => `${o.side} ${fmt.shares(o.qty)} ${o.symbol}`).join(', ')})`;
      cli.io.out(`Paper account ${account} reset to ${fmt.money(info.cash)} cash; positions dropped, ${open}; order history kept.`);
    });

  paper
    .command('drills')
    .description('show or set a paper account\'s drills: partial fills, rejections, never-fill')
    .option('--account <name>', 'paper account: LARGE, MID, SMALL or any name', 'LARGE')
    .option('--partial <fraction>', 'fill this fraction (0..1) of each order first, the rest on the next poll')
    .option('--reject-symbols <list>', 'reject every order for these symbols (comma-separated)')
    .option('--reject-every <n>', 'reject every Nth order submitted')
    .addOption(new Option('--reject-mode <mode>', 'refuse at submit, or accept and reject on the next poll').choices(['refuse', 'after-accept']))
    .option('--never-fill [symbols]', 'orders (for these symbols, or all) are accepted and never fill')
    .option('--clear', 'remove all drills (applied before the other flags)')
    .option('--json', 'print the drills as JSON')
    .addHelpText('after', `
Drills are stored with the account and apply to every later order placed through --broker paper.
Flags given are merged into the current drills; --clear starts from none.

Examples:
  $ atlas paper drills                                      show the LARGE account's drills
  $ atlas paper drills --partial 0.5 --reject-symbols TSLA
  $ atlas paper drills --reject-every 3 --reject-mode after-accept --account MID
  $ atlas paper drills --never-fill AAPL,MSFT
  $ atlas paper drills --clear`)
    .action((opts: { account: string; partial?: string; rejectSymbols?: string; rejectEvery?: string; rejectMode?: 'refuse' | 'after-accept'; neverFill?: string | boolean; clear?: boolean; json?: boolean }) => {
      const ctx = cli.context();
      const account = paperAccountName(opts.account);
      const changes = opts.clear === true || [opts.partial, opts.rejectSymbols, opts.rejectEvery, opts.rejectMode, opts.neverFill].some((v) => v !== undefined);
      // Showing the drills is read-only: it never creates the account.
      const broker = new PaperBroker({ db: ctx.db(), bars: ctx.bars(), account, clock: cliClock(ctx.now), createIfMissing: changes });
      const policy: PaperFillPolicy = opts.clear ? {} : { ...broker.fillPolicy() };
      const list = (raw: string) => raw.split(/[\s,]+/).filter(Boolean);
      if (opts.partial !== undefined) policy.partialFillFraction = Number(opts.partial);
      if (opts.rejectSymbols !== undefined) policy.rejectSymbols = list(opts.rejectSymbols);
      if (opts.rejectEvery !== undefined) policy.rejectEveryNth = Number(opts.rejectEvery);
      if (opts.rejectMode !== undefined) policy.rejectMode = opts.rejectMode;
      if (opts.neverFill !== undefined) policy.neverFill = opts.neverFill === true ? true : list(String(opts.neverFill));
      const changed = opts.clear === true || [opts.partial, opts.rejectSymbols, opts.rejectEvery, opts.rejectMode, opts.neverFill].some((v) => v !== undefined);
      if (changed) broker.setFillPolicy(policy);
      const now = broker.fillPolicy();
      if (opts.json) {
        cli.io.out(json({ account, drills: now }));
        return;
      }
      const rows: string[][] = [
        ['partial fill fraction', now.partialFillFraction === undefined ? '-' : String(now.partialFillFraction)],
        ['reject symbols', now.rejectSymbols?.join(', ') ?? '-'],
        ['reject every Nth order', now.rejectEveryNth === undefined ? '-' : String(now.rejectEveryNth)],
        ['reject mode', now.rejectMode ?? 'refuse'],
        ['never fill', now.neverFill === true ? 'all symbols' : Array.isArray(now.neverFill) ? now.neverFill.join(', ') : '-'],
      ];
      cli.io.out(`${changed ? 'Drills set' : 'Drills'} for paper account ${account}:`);
      cli.io.out(table(['drill', 'value'], rows, { align: ['left', 'left'] }));
    });
}
