/**
 * The seven pre-trade validation gates, run together by `validateBatch`. All gates are pure:
 * same input, same output, no I/O, no clock. See docs/gates.md.
 */
import { resultingState, withBatchMemo } from './common.js';
import { gateBuyingPower } from './buyingPower.js';
import { gateMarketHours } from './marketHours.js';
import { gatePositionSize } from './positionSize.js';
import { gateRegimeCompliance } from './regimeCompliance.js';
import { gateStructure } from './structure.js';
import { gateSymbolValidity } from './symbolValidity.js';
import { gateTotalAllocation } from './totalAllocation.js';
import type { BatchValidation, GateContext, GateOrder, GateResult } from './types.js';

export * from './types.js';
export { gateStructure, isValidSymbol, SYMBOL_PATTERN } from './structure.js';
export { gateBuyingPower, buyingPowerBreakdown, type BuyingPowerBreakdown } from './buyingPower.js';
export { gatePositionSize } from './positionSize.js';
export { gateTotalAllocation } from './totalAllocation.js';
export { gateMarketHours } from './marketHours.js';
export { gateSymbolValidity } from './symbolValidity.js';
export { gateRegimeCompliance } from './regimeCompliance.js';
export { resultingState, currentState } from './common.js';

export type Gate = (orders: readonly GateOrder[], ctx: GateContext) => GateResult;

/** Gates in order: index i holds gate i + 1. */
export const GATES: readonly Gate[] = [
  gateStructure,
  gateBuyingPower,
  gatePositionSize,
  gateTotalAllocation,
  gateMarketHours,
  gateSymbolValidity,
  gateRegimeCompliance,
];

/** Runs all seven gates on the batch. `passed` is true when no gate FAILed. */
export function validateBatch(orders: readonly GateOrder[], ctx: GateContext): BatchValidation {
  return withBatchMemo(orders, ctx, () => {
    const gates = GATES.map((g) => g(orders, ctx));
    return { gates, passed: gates.every((g) => g.result !== 'FAIL'), resulting: resultingState(orders, ctx) };
  });
}

/** One line per gate, e.g. "[3] position size     WARN  AAPL resulting ...". */
export function formatGateResults(gates: readonly GateResult[]): string {
  return gates.map((g) => `[${g.gate}] ${g.name.padEnd(18)} ${g.result.padEnd(4)}  ${g.reason}`).join('\n');
}
