/**
 * @module The strategy file's schema: everything that defines a strategy and its deployment,
 * validated with zod. Every field has a default, so `{}` is the wave-1 default strategy; the
 * parsed value (defaults applied) is what gets hashed, backtested and traded.
 */
import { z } from 'zod';
import { REGIME_MODEL_NAMES } from '../regime/models/registry.js';

const fraction = z.number().min(0).max(1);
const regimeLabels = ['TREND_BULL', 'TREND_NEUTRAL', 'TREND_BEAR', 'CRASH'] as const;

/** Where the stock universe comes from: exactly one source. */
export const universeSchema = z
  .union([
    z.object({ builtin: z.string().min(1).describe('a built-in universe: technology, healthcare, financials, sp500_proxy') }).strict(),
    z.object({ file: z.string().min(1).describe('a symbol list, one per line') }).strict(),
    z
      .object({
        sector: z.string().min(1).describe('a GICS sector, e.g. "Information Technology"'),
        constituents: z.string().min(1).describe('GICS constituents CSV (Symbol, GICS Sector, ...)'),
      })
      .strict(),
    z
      .object({
        membership: z.string().min(1).describe('point-in-time membership CSV: ticker,start_date,end_date'),
        renames: z.record(z.string(), z.string()).default({}).describe('membership ticker -> price-file ticker, e.g. {"FB": "META"}'),
      })
      .strict(),
  ])
  .describe('the stock universe: one of builtin, file, sector + constituents, membership');

export const scannerSchema = z
  .object({
    topN: z.number().int().min(1).max(500).default(10).describe('number of stocks to hold'),
    minDistance: z.number().gt(0).max(1).default(0.9).describe('minimum close / 52-week high to be eligible'),
    lookback: z.number().int().min(20).max(1000).default(252).describe('sessions in the 52-week high'),
    volumeFilter: z.boolean().default(false).describe('also require volume > volumeMultiplier x its average'),
    volumeMultiplier: z.number().gt(0).default(1.25),
    volumeWindow: z.number().int().min(1).default(20).describe('sessions in the volume average'),
  })
  .strict();

export const regimeSchema = z
  .object({
    model: z.enum(REGIME_MODEL_NAMES).default('seed').describe('regime model (docs/regime.md): seed, jm-online, jm-vote, sma200, sma10m'),
    params: z.record(z.string(), z.unknown()).default({}).describe('model parameters overriding its defaults'),
    mode: z.enum(['off', 'rebalance', 'daily']).default('rebalance').describe('off = ignore the regime; rebalance = scale at rebalances; daily = rescale when the allocation changes'),
    allocation: z
      .object(Object.fromEntries(regimeLabels.map((r) => [r, fraction])) as Record<(typeof regimeLabels)[number], typeof fraction>)
      .strict()
      .default({ TREND_BULL: 1, TREND_NEUTRAL: 0.7, TREND_BEAR: 0.3, CRASH: 0 })
      .describe('share of equity in stocks per regime label'),
  })
  .strict();

export const sleeveSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('cash') }).strict(),
    z
      .object({
        kind: z.literal('etf'),
        symbol: z.string().min(1).default('BIL').describe('a cash-like ETF: BIL, SGOV, SHY'),
        countsAsCash: z.boolean().optional().describe('gate 7 counts it as cash (default: yes for T-bill ETFs BIL, SGOV, SHY, SHV, BILS, TFLO, USFR)'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('defensive'),
        symbols: z.array(z.string().min(1)).min(1).describe('held equal-weight'),
        countsAsCash: z.boolean().optional().describe('gate 7 counts the list as cash (default no: it is stock exposure)'),
      })
      .strict(),
  ])
  .describe('where the share the regime does not allocate to stocks goes');

export const gatesSchema = z
  .object({
    maxPositionPct: fraction.default(0.15).describe('largest single position as a share of equity (gate 3)'),
    regimeTolerance: fraction.default(0.005).describe('slack above the regime allocation before gate 7 fails'),
    strict: z.boolean().default(false).describe('a position-size breach fails instead of warning'),
    buyPriceBuffer: fraction.default(0.03).describe('market buys are costed at last price x (1 + buffer)'),
    priceBand: fraction.default(0.1).describe('broker latest trade vs store close: largest accepted difference'),
  })
  .strict();

export const accountSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/).describe('SMALL, MID, LARGE or a paper account name'),
    broker: z.enum(['paper', 'alpaca']).default('paper'),
  })
  .strict();

export const strategySchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).max(80).default('momentum-52w'),
    universe: z.union([z.string().min(1), universeSchema]).default({ builtin: 'technology' }).transform((u) => (typeof u === 'string' ? { builtin: u } : u)),
    scanner: scannerSchema.default(() => scannerSchema.parse({})),
    rebalance: z.enum(['monthly', 'quarterly', 'semiannual']).default('semiannual'),
    regime: regimeSchema.default(() => regimeSchema.parse({})),
    sleeve: sleeveSchema.default({ kind: 'cash' }),
    costs: z
      .object({ commissionBps: z.number().min(0).default(10), slippageBps: z.number().min(0).default(10) })
      .strict()
      .default({ commissionBps: 10, slippageBps: 10 }),
    fill: z.enum(['open', 'close']).default('open').describe('backtest fill price: the next session open or the decision close'),
    wholeShares: z.boolean().default(true),
    minNotional: z.number().min(0).default(50).describe('smallest order worth sending, in dollars'),
    gates: gatesSchema.default(() => gatesSchema.parse({})),
    accounts: z.array(accountSchema).default([]).describe('the accounts that trade this strategy'),
  })
  .strict();

export type StrategyInput = z.input<typeof strategySchema>;
export type Strategy = z.output<typeof strategySchema>;
export type UniverseSpec = Strategy['universe'];
export type SleeveSpec = Strategy['sleeve'];
