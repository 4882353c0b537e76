/**
 * @module The snapshot step: the account as the broker reports it after the close, valued at the
 * session's raw closes. A late snapshot (the daemon was down that evening) is rebuilt from the
 * paper broker's fills: today's positions and cash with every fill after that session's close
 * undone. Another broker keeps no such history here, so the session is marked missing: said,
 * never invented.
 */
import { sessionTimes } from '../../calendar/nyse.js';
import type { Clock } from '../../core/clock.js';
import type { BarStore } from '../../data/store/barStore.js';
import type { Broker } from '../../execution/brokers/broker.js';
import { PaperBroker } from '../../execution/brokers/paper/index.js';
import { lastRawClose } from '../../execution/rebalance/signal.js';
import type { DeployedAccount } from '../schedule/jobs.js';
import { buildSnapshot, missingSnapshot } from '../snapshots/snapshot.js';
import type { SnapshotStore } from '../snapshots/snapshotStore.js';
import type { SessionRegime } from './regimeCache.js';

export interface SnapshotStepInput {
  account: DeployedAccount;
  session: string;
  late: boolean;
  broker: Broker;
  bars: BarStore;
  clock: Clock;
  snapshots: SnapshotStore;
  strategyHash: string;
  targets: Record<string, number>;
  regime: SessionRegime;
}

/** Cash and holdings at the session's close, rebuilt from the paper broker's fills. */
export function holdingsAtClose(broker: PaperBroker, session: string, now: { cash: number; positions: { symbol: string; qty: number }[] }): { cash: number; holdings: { symbol: string; qty: number }[] } {
  const close = sessionTimes(session).close.getTime();
  let cash = now.cash;
  const qty = new Map(now.positions.map((p) => [p.symbol, p.qty]));
  for (const f of broker.getFills()) {
    if (new Date(f.filledAt).getTime() <= close) continue;
    const sign = f.side === 'buy' ? 1 : -1;
    cash += sign * f.qty * f.price;
    qty.set(f.symbol, (qty.get(f.symbol) ?? 0) - sign * f.qty);
  }
  return { cash, holdings: [...qty].filter(([, q]) => Math.abs(q) > 1e-9).map(([symbol, q]) => ({ symbol, qty: q })) };
}

export async function takeSnapshot(i: SnapshotStepInput): Promise<'written' | 'missing'> {
  const a = i.account;
  const now = i.clock.now();
  const account = await i.broker.getAccount();
  const positions = await i.broker.getPositions();
  let cash = account.cash;
  let holdings = positions.map((p) => ({ symbol: p.symbol, qty: p.qty }));
  let source: 'live' | 'history' = 'live';
  if (i.late) {
    if (!(i.broker instanceof PaperBroker)) {
      i.snapshots.write(missingSnapshot(a.account, a.broker, i.session, now, `the daemon was not running after the ${i.session} close and the ${a.broker} broker keeps no history Atlas can rebuild it from`));
      return 'missing';
    }
    ({ cash, holdings } = holdingsAtClose(i.broker, i.session, { cash, positions: holdings }));
    source = 'history';
  }
  const prices = new Map<string, number>();
  for (const sym of new Set([...holdings.map((h) => h.symbol), ...Object.keys(i.targets)])) {
    const px = lastRawClose(i.bars, sym, i.session) ?? positions.find((p) => p.symbol === sym)?.currentPrice;
    if (px !== undefined && px > 0) prices.set(sym, px);
  }
  const unpriced = holdings.filter((h) => !prices.has(h.symbol)).map((h) => h.symbol);
  if (unpriced.length > 0) {
    i.snapshots.write(missingSnapshot(a.account, a.broker, i.session, now, `no ${i.session} price for ${unpriced.join(', ')}`));
    return 'missing';
  }
  i.snapshots.write(
    buildSnapshot({
      account: a.account, broker: a.broker, session: i.session, takenAt: now, source, strategyHash: i.strategyHash,
      cash, holdings, prices, targets: i.targets, regime: i.regime.regime, allocation: i.regime.allocation,
      spyClose: lastRawClose(i.bars, 'SPY', i.session) ?? null,
    }),
  );
  return 'written';
}
