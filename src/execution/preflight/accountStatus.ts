/**
 * @module Pre-flight 1 — account status. Orders go only to an account whose status is ACTIVE and
 * that is not trading_blocked, account_blocked or trade_suspended_by_user; anything else FAILs
 * with every flag that is set.
 */
import { normalStatus } from './format.js';
import type { PreflightInput, PreflightResult } from './types.js';

export function checkAccountStatus(input: PreflightInput): PreflightResult {
  const a = input.account;
  const problems: string[] = [];
  const status = normalStatus(a.status);
  if (status !== 'ACTIVE') problems.push(`status is ${status === '' ? 'unknown' : status}, not ACTIVE`);
  if (a.tradingBlocked) problems.push('trading_blocked');
  if (a.accountBlocked) problems.push('account_blocked');
  if (a.tradeSuspendedByUser) problems.push('trade_suspended_by_user (switched off by the owner)');
  const name = 'account status';
  if (problems.length === 0) {
    return { check: 1, name, result: 'PASS', reason: `account ${a.id} is ACTIVE; not trading_blocked, account_blocked or trade_suspended_by_user` };
  }
  return { check: 1, name, result: 'FAIL', reason: `account ${a.id} cannot trade: ${problems.join('; ')}` };
}
