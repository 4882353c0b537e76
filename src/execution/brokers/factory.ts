import type Database from 'better-sqlite3';
import type { AtlasEnv } from '../../config/env.js';
import type { Clock } from '../../core/clock.js';
import { AtlasError } from '../../core/errors.js';
import type { BarStore } from '../../data/store/barStore.js';
import { AlpacaBroker, ALPACA_ACCOUNT_NAMES, resolveAlpacaKeys, type AlpacaAccountName, type AlpacaBrokerOptions } from './alpaca/index.js';
import type { Broker } from './broker.js';
import { PaperBroker, type PaperFillPolicy } from './paper/index.js';
import type { SessionOrderFill } from './paper/pricing.js';

export type BrokerKind = 'paper' | 'alpaca';
export const BROKER_KINDS: readonly BrokerKind[] = ['paper', 'alpaca'];

export interface CreateBrokerOptions {
  kind: BrokerKind;
  /** LARGE, MID or SMALL (the paper broker also accepts any other account name). */
  account: AlpacaAccountName | (string & Record<never, never>);
  db: Database.Database;
  bars: BarStore;
  env: AtlasEnv;
  /** Paper only: the one clock the embedded broker runs on (default: the system clock). */
  clock?: Clock;
  /** @deprecated Pass `clock`. Paper only: a bare time function (see PaperBrokerOptions.now). */
  now?: () => Date;
  /** Secret values to keep out of messages (the Alpaca client redacts its own keys already). */
  secrets?: readonly string[];
  /** Paper only: slippage in bps (default 5), drills, initial cash of a new account. */
  paper?: { slippageBps?: number; fillPolicy?: PaperFillPolicy; initialCash?: number; allowFractional?: boolean; createIfMissing?: boolean | 'virtual'; sessionOrderFill?: SessionOrderFill };
  /** Alpaca only: extra client options (tests inject fetch, sleep, retry policy). */
  alpaca?: Omit<AlpacaBrokerOptions, 'keys' | 'baseUrl' | 'allowLocal'>;
}

/** True when the URL is a loopback test server (ATLAS_ALPACA_TRADING_URL in tests). */
function isLoopback(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}

export function parseBrokerKind(raw: string): BrokerKind {
  const k = raw.trim().toLowerCase();
  if (k === 'paper' || k === 'alpaca') return k;
  throw new AtlasError(`Unknown broker '${raw.slice(0, 20)}'; use paper (the embedded simulator, no keys) or alpaca (Alpaca paper trading).`, { code: 'BAD_FLAG' });
}

export function parseAccountName(raw: string): AlpacaAccountName {
  const a = raw.trim().toUpperCase();
  if ((ALPACA_ACCOUNT_NAMES as readonly string[]).includes(a)) return a as AlpacaAccountName;
  throw new AtlasError(`Unknown account '${raw.slice(0, 20)}'; use LARGE, MID or SMALL.`, { code: 'BAD_FLAG' });
}

/**
 * The one place a Broker is built from configuration.
 * - paper: the embedded PaperBroker on the Atlas store (no keys, no network).
 * - alpaca: the Alpaca paper client with ALPACA_<ACCOUNT>_KEY/SECRET (or APCA_API_KEY_ID/SECRET);
 *   a missing key raises ALPACA_KEYS_MISSING naming the variable. ATLAS_ALPACA_TRADING_URL
 *   overrides the endpoint (local test servers only are accepted besides Alpaca paper; the live
 *   endpoint is always refused by the client).
 */
export function createBroker(opts: CreateBrokerOptions): Broker {
  if (opts.kind === 'paper') {
    return new PaperBroker({
      db: opts.db,
      bars: opts.bars,
      account: opts.account,
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
      ...(opts.clock !== undefined || opts.now === undefined ? {} : { now: opts.now }),
      ...(opts.paper?.slippageBps === undefined ? {} : { slippageBps: opts.paper.slippageBps }),
      ...(opts.paper?.fillPolicy === undefined ? {} : { fillPolicy: opts.paper.fillPolicy }),
      ...(opts.paper?.initialCash === undefined ? {} : { initialCash: opts.paper.initialCash }),
      ...(opts.paper?.allowFractional === undefined ? {} : { allowFractional: opts.paper.allowFractional }),
      ...(opts.paper?.createIfMissing === undefined ? {} : { createIfMissing: opts.paper.createIfMissing }),
      ...(opts.paper?.sessionOrderFill === undefined ? {} : { sessionOrderFill: opts.paper.sessionOrderFill }),
    });
  }
  if (opts.kind === 'alpaca') {
    const account = parseAccountName(opts.account);
    const keys = resolveAlpacaKeys(opts.env as Record<string, string | undefined>, account);
    const baseUrl = opts.env.ATLAS_ALPACA_TRADING_URL;
    const dataUrl = opts.env.ATLAS_ALPACA_DATA_URL;
    // A loopback endpoint (tests, rehearsals) is accepted only when every endpoint is loopback.
    const local = isLoopback(baseUrl) && (dataUrl === undefined || isLoopback(dataUrl));
    return new AlpacaBroker({
      ...opts.alpaca,
      keys,
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(dataUrl === undefined ? {} : { dataUrl }),
      ...(opts.clock === undefined || opts.alpaca?.clock !== undefined ? {} : { clock: opts.clock }),
      allowLocal: local,
      name: opts.alpaca?.name ?? `alpaca-paper-${account.toLowerCase()}`,
    });
  }
  throw new AtlasError(`Unknown broker '${String(opts.kind)}'; use paper or alpaca.`, { code: 'BAD_FLAG' });
}
