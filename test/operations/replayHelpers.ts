/** Shared set-up of the replay tests: a demo-market source store and a daily-regime strategy. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDemoStore } from '../backtest/demoStore.js';

/** A daily-regime, whole-share strategy with costs the paper broker charges too (slippage, no commission). */
export function writeReplayStrategy(dir: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'replay.strategy.json');
  writeFileSync(path, JSON.stringify({ name: 'replay-test', universe: 'technology', rebalance: 'monthly', regime: { model: 'sma200', mode: 'daily' }, costs: { commissionBps: 0, slippageBps: 5 }, wholeShares: true, accounts: [{ name: 'REPLAY' }], ...extra }));
  return path;
}

export function demoSource(dir: string): string {
  if (!existsSync(join(dir, 'atlas.sqlite'))) writeDemoStore(dir, { from: '2003-01-02', to: '2010-12-31' });
  return dir;
}
