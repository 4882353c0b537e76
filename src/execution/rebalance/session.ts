/**
 * @module Whether the market is in session, asked of the broker (its clock is the venue's word,
 * and the embedded broker's follows the simulated clock), with the NYSE calendar as the fallback
 * when the broker cannot answer.
 */
import { isMarketOpenAt, nextOpenAfter } from '../../calendar/nyse.js';
import type { Clock } from '../../core/clock.js';
import type { Broker } from '../brokers/broker.js';

export interface MarketSession {
  open: boolean;
  nextOpen: Date | null;
  source: 'broker' | 'calendar';
}

export async function marketSession(broker: Broker, clock: Pick<Clock, 'now'>): Promise<MarketSession> {
  try {
    const c = await broker.getClock();
    return { open: c.isOpen, nextOpen: c.nextOpen, source: 'broker' };
  } catch {
    const now = clock.now();
    let next: Date | null = null;
    try {
      next = nextOpenAfter(now);
    } catch {
      next = null;
    }
    return { open: isMarketOpenAt(now), nextOpen: next, source: 'calendar' };
  }
}
