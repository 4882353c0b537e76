/**
 * @module What `atlas init` writes: a commented strategy file (every field with its default and
 * what it means) and a `.env.example` naming every key Atlas reads, with no values.
 */

import { DEFAULT_REGIME_MODEL_FOR_NEW_STRATEGIES, isRegimeModelName, resolveModelParams } from '../regime/models/registry.js';

/**
 * The regime model a new strategy file starts with: the walk-forward winner over `seed` on Sharpe
 * and drawdown (docs/regime.md gives the evidence and its limits); `seed` stays one edit away.
 */
export const STARTER_REGIME_MODEL: string = DEFAULT_REGIME_MODEL_FOR_NEW_STRATEGIES;

export function starterStrategyText(opts: { regimeModel?: string; schemaPath?: string } = {}): string {
  const model = opts.regimeModel ?? STARTER_REGIME_MODEL;
  // Each model starts with the exposure map its evidence was measured with (the SMA and jump
  // models: two-level, bull labels 100%, bear labels 0%; seed: 100/70/30/0).
  const a = isRegimeModelName(model) ? resolveModelParams(model).allocation : { TREND_BULL: 1, TREND_NEUTRAL: 0.7, TREND_BEAR: 0.3, CRASH: 0 };
  return `// Atlas strategy file (JSON with comments). Every command that trades or tests this strategy
// reads it: atlas backtest | sweep | scan | rebalance | status --strategy atlas.strategy.json.
// A flag on the command line overrides its field for that run. docs/strategy.md lists every field.
{
  "$schema": "${opts.schemaPath ?? './node_modules/atlas-trading/docs/strategy.schema.json'}",
  "name": "momentum-52w",

  // The stocks to rank: {"builtin": "technology"} (also healthcare, financials, sp500_proxy),
  // {"file": "symbols.txt"}, {"sector": "Information Technology", "constituents": "sp500_constituents_gics.csv"},
  // or point in time: {"membership": "sp500_membership.csv", "renames": {"FB": "META"}}.
  // Built-in lists are today's names applied to the past (survivorship bias); membership files are not.
  "universe": { "builtin": "technology" },

  // George & Hwang (2004): rank by close / 52-week high, hold the top N above a minimum distance.
  "scanner": { "topN": 10, "minDistance": 0.9, "lookback": 252, "volumeFilter": false, "volumeMultiplier": 1.25, "volumeWindow": 20 },

  // How often the portfolio is rebuilt: monthly, quarterly or semiannual (the paper's choice).
  "rebalance": "semiannual",

  // The regime layer: which model labels each day (seed, jm-online, jm-vote, sma200, sma10m; see
  // docs/regime.md), how the label is applied (off, at rebalances, or daily), and the share of
  // equity held in stocks per label.
  "regime": {
    "model": "${model}",
    "params": {},
    "mode": "rebalance",
    "allocation": { "TREND_BULL": ${a.TREND_BULL}, "TREND_NEUTRAL": ${a.TREND_NEUTRAL}, "TREND_BEAR": ${a.TREND_BEAR}, "CRASH": ${a.CRASH} }
  },

  // What the regime leaves out of stocks goes to: {"kind": "cash"}, {"kind": "etf", "symbol": "BIL"},
  // or {"kind": "defensive", "symbols": ["XLP", "XLU"]} held equal-weight.
  "sleeve": { "kind": "cash" },

  // Backtest costs per trade, in basis points of the traded value, and the fill price.
  "costs": { "commissionBps": 10, "slippageBps": 10 },
  "fill": "open",

  // Orders: whole shares, and no order smaller than this many dollars.
  "wholeShares": true,
  "minNotional": 50,

  // Limits the live gates enforce (docs/gates.md) and the pre-flight price check (docs/preflight.md).
  "gates": { "maxPositionPct": 0.15, "regimeTolerance": 0.005, "strict": false, "buyPriceBuffer": 0.03, "priceBand": 0.1 },

  // The accounts that trade this strategy: broker "paper" (embedded) or "alpaca" (paper endpoint only).
  "accounts": [{ "name": "LARGE", "broker": "paper" }]
}
`;
}

export function envExampleText(): string {
  return `# Atlas reads these from the environment or from this file renamed to .env. Never commit .env.
# Data directory (default ./.atlas)
ATLAS_HOME=
# Tiingo daily prices (atlas data sync --provider tiingo|auto)
TIINGO_API_KEY=
# Alpaca paper accounts (paper endpoint only; live trading is refused)
ALPACA_LARGE_KEY=
ALPACA_LARGE_SECRET=
ALPACA_MID_KEY=
ALPACA_MID_SECRET=
ALPACA_SMALL_KEY=
ALPACA_SMALL_SECRET=
# stderr log level: fatal, error, warn (default), info, debug
ATLAS_LOG_LEVEL=
`;
}
