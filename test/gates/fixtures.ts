import type { GateAsset, GateContext, GateOrder, GatePosition } from '../../src/execution/gates/index.js';

export const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'] as const;

export function asset(lastPrice: number | undefined, over: Partial<GateAsset> = {}): GateAsset {
  return { active: true, tradable: true, lastPrice, ...over };
}

/** equity $100,000, cash $50,000, buying power $50,000, 100 AAA @ $100, all symbols @ $100. */
export function ctxOf(over: Partial<GateContext> = {}): GateContext {
  return {
    equity: 100_000,
    cash: 50_000,
    buyingPower: 50_000,
    positions: new Map<string, GatePosition>([['AAA', { qty: 100, price: 100 }]]),
    openOrders: [],
    assets: new Map(SYMBOLS.map((s) => [s, asset(100)])),
    regime: 'TREND_BULL',
    marketOpen: true,
    marketDetail: 'open; closes 16:00 ET',
    force: false,
    strict: false,
    ...over,
  };
}

export function buy(symbol: string, qty: number, over: Partial<GateOrder> = {}): GateOrder {
  return { symbol, side: 'buy', qty, type: 'market', timeInForce: 'day', refPrice: 100, ...over };
}

export function sell(symbol: string, qty: number, over: Partial<GateOrder> = {}): GateOrder {
  return { symbol, side: 'sell', qty, type: 'market', timeInForce: 'day', refPrice: 100, ...over };
}

export function positions(entries: Record<string, [qty: number, price: number]>): Map<string, GatePosition> {
  return new Map(Object.entries(entries).map(([s, [qty, price]]) => [s, { qty, price }]));
}
