import { AtlasError } from '../../../core/errors.js';
import type { Account } from '../broker.js';

/**
 * @module Why an Alpaca account cannot take orders, from GET /v2/account's flags: `status` must be
 * ACTIVE, and `account_blocked`, `trading_blocked` and `trade_suspended_by_user` must be false.
 * Pure, so the pre-flight checks can report the same verdict without a second request.
 */
export function accountRefusal(a: Account): AtlasError | undefined {
  if (a.accountBlocked) {
    return new AtlasError(`Alpaca paper account ${a.id} is blocked (account_blocked); no orders are sent, resolve it on the Alpaca dashboard.`, { code: 'ALPACA_ACCOUNT_BLOCKED' });
  }
  if (a.status !== 'ACTIVE') {
    return new AtlasError(`Alpaca paper account ${a.id} is ${a.status}, not ACTIVE; check it on the Alpaca dashboard.`, { code: 'ALPACA_ACCOUNT_INACTIVE' });
  }
  if (a.tradingBlocked) {
    return new AtlasError(`Alpaca paper account ${a.id} has trading blocked (trading_blocked); no orders are sent, resolve it on the Alpaca dashboard.`, { code: 'ALPACA_TRADING_BLOCKED' });
  }
  if (a.tradeSuspendedByUser) {
    return new AtlasError(`Alpaca paper account ${a.id} has trading suspended by its owner (trade_suspended_by_user); switch trading back on in the Alpaca dashboard.`, {
      code: 'ALPACA_TRADING_SUSPENDED',
    });
  }
  return undefined;
}

/** 1 = cash account; 2 or 4 = margin. */
export function isCashAccount(a: Account): boolean {
  return a.multiplier <= 1;
}
