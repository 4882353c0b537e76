/**
 * @module Strategy file -> rebalance request, for the daemon. MUST STAY EQUAL to the CLI's
 * mapping (src/strategy/, being added for `atlas rebalance --strategy`); they are to be unified
 * into one function. Universe paths are relative to the strategy file.
 */
import { dirname, resolve } from 'node:path';
import type { RebalanceRequest } from '../../execution/rebalance/types.js';
import { resolveUniverse } from '../../selection/resolveUniverse.js';
import type { Universe } from '../../selection/universes.js';
import type { LoadedStrategy } from '../../strategy/index.js';

/** The strategy's universe (a membership file is read as a universe file; its renames are not applied here). */
export function universeOfStrategy(loaded: LoadedStrategy): Universe {
  const u = loaded.strategy.universe;
  const base = loaded.path ? dirname(loaded.path) : process.cwd();
  const at = (p: string) => resolve(base, p);
  if ('builtin' in u) return resolveUniverse({ universe: u.builtin });
  if ('file' in u) return resolveUniverse({ universeFile: at(u.file) });
  if ('sector' in u) return resolveUniverse({ sector: u.sector, constituents: at(u.constituents) });
  return resolveUniverse({ universeFile: at(u.membership) });
}

/** What the daemon asks of runRebalance for one account: queue after the close, no prompt. */
export function requestFromStrategy(loaded: LoadedStrategy, account: { account: string; broker: string }, universe: Universe = universeOfStrategy(loaded)): RebalanceRequest {
  const s = loaded.strategy;
  return {
    universe,
    topN: s.scanner.topN,
    account: account.account,
    brokerKind: account.broker,
    // After the close the market is shut: the run is queued for the open (gate 5 warns, not fails).
    force: true,
    strict: s.gates.strict,
    yes: true,
    minNotional: s.minNotional,
    buyPriceBuffer: s.gates.buyPriceBuffer,
    priceBand: s.gates.priceBand,
  };
}
