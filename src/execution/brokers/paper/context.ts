/**
 * @module What every part of the paper broker works on: the store, the account name, the one
 * clock and the account's settings in force. The adapter builds it once; the ledger, the order
 * book, the fill engine and the admission checks are functions of it.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../../core/clock.js';
import type { BarStore } from '../../../data/store/barStore.js';
import type { PaperFillPolicy } from './drills.js';
import type { SessionOrderFill } from './pricing.js';

export interface PaperContext {
  readonly db: Database.Database;
  readonly bars: BarStore;
  /** Canonical account name (upper case). */
  readonly account: string;
  readonly clock: Clock;
  /** Slippage against the trader in basis points. */
  readonly slippageBps: number;
  /** What a market order placed during a session fills at (pricing.ts). */
  readonly sessionOrderFill: SessionOrderFill;
  /** The drills in force: the broker's override, else the account's stored policy. */
  policy(): PaperFillPolicy;
  /** Whether the account trades fractional quantities. */
  allowFractional(): boolean;
  /**
   * A dry run on an account that does not exist yet plans against this row (a new account with
   * its initial cash) instead of creating the account: looking must not open an account.
   */
  readonly virtualAccount?: import('./ledger.js').AccountRow;
}

export const EPS = 1e-9;

export function isWhole(x: number): boolean {
  return Math.abs(x - Math.round(x)) < EPS;
}
