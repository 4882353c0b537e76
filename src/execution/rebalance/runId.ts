/**
 * Run ids and client order ids of the rebalancer. Pure.
 *
 * A run id is deterministic for "the same command on the same day": the New York trade date as
 * YYYYMMDD, a dash, and 8 hex digits of a SHA-256 over the parameters that make two commands
 * "the same" (account, broker, universe, topN, regime override). Rerunning the command the same
 * day therefore finds the run it already started and reconciles it instead of trading twice.
 *
 * An abandoned run (`atlas rebalance --abandon`) frees the command: the next attempt the same day
 * gets the id with an attempt suffix, `20261124-3f9a0c1e-2`, `-3`, ... (attempt 1 has none, so
 * ids of earlier runs are unchanged).
 *
 * A client order id is `atlas-<runId>-<symbol>-<leg>` (leg 'sell' or 'buy'); one run trades a
 * symbol at most once per leg, so the id is unique for the life of the account. Alpaca accepts
 * 128 characters; Atlas keeps ids within 48 so they also fit stricter brokers and log columns.
 * A symbol too long to fit is shortened and suffixed with a hash of the full symbol.
 */
import { createHash } from 'node:crypto';
import { AtlasError } from '../../core/errors.js';

export const CLIENT_ORDER_ID_MAX = 48;
export const CLIENT_ORDER_ID_PREFIX = 'atlas';
export type OrderLeg = 'sell' | 'buy';

export interface RunIdentity {
  /** New York trade date, YYYY-MM-DD. */
  tradeDate: string;
  account: string;
  broker: string;
  universe: string;
  topN: number;
  /** The --regime override, or undefined when the model decides. */
  regimeOverride?: string | undefined;
  /** The strategy's content hash (runs of different strategies are different runs). */
  strategyHash?: string;
}

const RUN_ID = /^(\d{8})-([0-9a-f]{8})(?:-([1-9]\d{0,2}))?$/;

/** Attempts per command and day (an abandoned run frees its command for the next one). */
export const MAX_RUN_ATTEMPTS = 999;

function shortHash(text: string, hexDigits: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexDigits);
}

/** e.g. 20261124-3f9a0c1e; attempt 2 and later: 20261124-3f9a0c1e-2. */
export function computeRunId(id: RunIdentity, attempt = 1): string {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_RUN_ATTEMPTS) {
    throw new AtlasError(`Run attempt must be a whole number from 1 to ${MAX_RUN_ATTEMPTS}, got ${attempt}.`, { code: 'BAD_RUN_ID' });
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(id.tradeDate)) {
    throw new AtlasError(`Run trade date must be YYYY-MM-DD, got "${id.tradeDate}".`, { code: 'BAD_RUN_ID' });
  }
  // A strategy's content hash joins the key, so two strategies on one account and day are two runs;
  // without one the key is the wave-1 key, and ids of existing runs stay what they were.
  const parts: unknown[] = [id.account.toUpperCase(), id.broker.toLowerCase(), id.universe.toLowerCase(), id.topN, id.regimeOverride ?? ''];
  if (id.strategyHash) parts.push(id.strategyHash);
  const key = JSON.stringify(parts);
  const base = `${id.tradeDate.replace(/-/g, '')}-${shortHash(key, 8)}`;
  return attempt === 1 ? base : `${base}-${attempt}`;
}

export function isRunId(s: string): boolean {
  return RUN_ID.test(s);
}

/** Throws a one-sentence AtlasError unless `s` looks like a run id. */
export function assertRunId(s: string): string {
  const t = s.trim();
  if (!isRunId(t)) {
    throw new AtlasError(`"${s.slice(0, 40)}" is not a run id; run ids look like 20261124-3f9a0c1e or 20261124-3f9a0c1e-2 (see \`atlas log\`).`, { code: 'BAD_RUN_ID' });
  }
  return t;
}

/** atlas-<runId>-<symbol>-<leg>, at most 48 characters. */
export function clientOrderIdFor(runId: string, symbol: string, leg: OrderLeg): string {
  const full = `${CLIENT_ORDER_ID_PREFIX}-${runId}-${symbol}-${leg}`;
  if (full.length <= CLIENT_ORDER_ID_MAX) return full;
  const room = CLIENT_ORDER_ID_MAX - `${CLIENT_ORDER_ID_PREFIX}-${runId}--${leg}`.length - 5;
  if (room < 1) throw new AtlasError(`Run id ${runId} is too long to build client order ids.`, { code: 'BAD_RUN_ID' });
  return `${CLIENT_ORDER_ID_PREFIX}-${runId}-${symbol.slice(0, room)}~${shortHash(symbol, 4)}-${leg}`;
}

/** The run id inside a client order id made by clientOrderIdFor, or undefined. */
export function runIdOfClientOrderId(cid: string): string | undefined {
  const m = /^atlas-(\d{8}-[0-9a-f]{8}(?:-[1-9]\d{0,2})?)-/.exec(cid);
  return m ? m[1] : undefined;
}
