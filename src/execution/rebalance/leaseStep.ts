/**
 * @module The account lease around a live run: taken before anything is sent (refused in one
 * sentence while another live process holds it), kept alive by a heartbeat, released at the end.
 * Taking over a dead holder's lease is written to the audit trail. With a simulated clock the
 * heartbeat is not started (simulated sleeps would spin it); the run's own pid keeps it alive
 * for other processes, and an expired one is taken over only after its holder is gone.
 */
import { systemClock } from '../../core/clock.js';
import { acquireLease, createHeartbeat, type Heartbeat } from '../lease/index.js';
import type { RunContext } from './context.js';

export async function withAccountLease<T>(ctx: RunContext, body: () => Promise<T>): Promise<T> {
  const account = ctx.runAccount();
  const got = acquireLease(ctx.runs.db, { broker: account.broker, account: account.account, runId: ctx.runId, clock: ctx.clock });
  if (got.takenOver) {
    ctx.log.append({ event: 'LEASE', status: 'TAKEN_OVER', reason: got.takenOver.note, detail: { previous: got.takenOver.previous.runId, why: got.takenOver.why } });
    ctx.note(got.takenOver.note);
  }
  let heartbeat: Heartbeat | undefined;
  if (ctx.clock === systemClock) {
    heartbeat = createHeartbeat(got.lease, { clock: ctx.clock, onLost: (err) => ctx.note(`lease lost: ${err instanceof Error ? err.message : String(err)}`) });
    heartbeat.start();
  }
  try {
    return await body();
  } finally {
    await heartbeat?.stop();
    try {
      got.lease.release();
    } catch {
      // Taken over while this run worked (reported by the heartbeat); nothing to release.
    }
  }
}
