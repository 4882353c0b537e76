/**
 * @module Drills: deliberate misbehaviour (partial fills, rejections, orders that never fill) so
 * the rebalancer's unhappy paths can be exercised offline. A drill is decided when an order is
 * submitted and recorded on the order, so changing the policy later leaves open orders alone.
 */
import { AtlasError } from '../../../core/errors.js';
import { canonicalSymbol } from '../../../data/providers/symbols.js';

export interface PaperFillPolicy {
  /** Fill this fraction (0 < f < 1) of each order on the first poll and the rest on the next poll. */
  partialFillFraction?: number;
  /** Reject every order for these symbols. */
  rejectSymbols?: string[];
  /** Reject every Nth order submitted to the account (N >= 1; counts new clientOrderIds since the last reset). */
  rejectEveryNth?: number;
  /** 'refuse' (default): submitOrder throws OrderRejectedError; 'after-accept': the order is accepted and becomes 'rejected' on the next poll. */
  rejectMode?: 'refuse' | 'after-accept';
  /** Orders are accepted and never fill until canceled: true for every symbol, or a list of symbols. */
  neverFill?: boolean | string[];
}

/** Validates a policy and returns it in canonical form (symbols canonicalised, empty settings dropped). */
export function validatePolicy(p: PaperFillPolicy): PaperFillPolicy {
  const bad = (what: string): never => {
    throw new AtlasError(`Paper drill setting ${what} is invalid.`, { code: 'PAPER_DRILL_INVALID' });
  };
  if (p.partialFillFraction !== undefined && !(p.partialFillFraction > 0 && p.partialFillFraction < 1)) bad(`partialFillFraction=${p.partialFillFraction} (must be between 0 and 1, exclusive)`);
  if (p.rejectEveryNth !== undefined && !(Number.isInteger(p.rejectEveryNth) && p.rejectEveryNth >= 1)) bad(`rejectEveryNth=${p.rejectEveryNth} (must be a whole number >= 1)`);
  if (p.rejectMode !== undefined && p.rejectMode !== 'refuse' && p.rejectMode !== 'after-accept') bad(`rejectMode=${String(p.rejectMode)} (refuse or after-accept)`);
  const out: PaperFillPolicy = {};
  if (p.partialFillFraction !== undefined) out.partialFillFraction = p.partialFillFraction;
  if (p.rejectSymbols !== undefined && p.rejectSymbols.length > 0) out.rejectSymbols = p.rejectSymbols.map(canonicalSymbol);
  if (p.rejectEveryNth !== undefined) out.rejectEveryNth = p.rejectEveryNth;
  if (p.rejectMode !== undefined) out.rejectMode = p.rejectMode;
  if (p.neverFill !== undefined && p.neverFill !== false) out.neverFill = Array.isArray(p.neverFill) ? p.neverFill.map(canonicalSymbol) : true;
  return out;
}

/** A stored policy, or no drills when the stored JSON is unreadable. */
export function parseStoredPolicy(json: string): PaperFillPolicy {
  try {
    return validatePolicy(JSON.parse(json) as PaperFillPolicy);
  } catch {
    return {};
  }
}

/**
 * The drill for the `count`th order of the account: refuse it now, or the tag stored on the order
 * ('reject:<why>', 'never_fill', 'partial:<f>') that the fill engine acts on, or none.
 */
export function drillFor(policy: PaperFillPolicy, symbol: string, count: number): { refuse: string } | { tag: string | null } {
  let rejectWhy: string | undefined;
  if (policy.rejectSymbols?.includes(symbol)) rejectWhy = `drill: orders for ${symbol} are rejected`;
  else if (policy.rejectEveryNth !== undefined && count % policy.rejectEveryNth === 0) rejectWhy = `drill: every ${policy.rejectEveryNth}th order is rejected (this is order ${count})`;
  if (rejectWhy !== undefined) return policy.rejectMode === 'after-accept' ? { tag: `reject:${rejectWhy}` } : { refuse: rejectWhy };
  if (policy.neverFill === true || (Array.isArray(policy.neverFill) && policy.neverFill.includes(symbol))) return { tag: 'never_fill' };
  if (policy.partialFillFraction !== undefined) return { tag: `partial:${policy.partialFillFraction}` };
  return { tag: null };
}
