/**
 * @module Where an account's comparison with its backtest starts. A backtest invests on its first
 * session; a deployed account (the daemon, a replay) invests at its first scheduled rebalance. An
 * account started between two rebalances holds cash until the next one, and a backtest started on
 * its first snapshot would trade weeks earlier: every order would differ and the equity gap would
 * be the market's move over those weeks, not a difference in execution. So the comparison starts
 * on the session of the account's first rebalance decision when that came after its first snapshot.
 */
import type { AccountSnapshot } from '../snapshots/snapshot.js';

export interface ParityStart {
  /** The snapshots compared: from the start session on. */
  snapshots: AccountSnapshot[];
  /** Says why the comparison does not start on the first snapshot (absent when it does). */
  note?: string;
}

/** `snapshots` ascending by session; `firstDecision` the session of the account's first rebalance decision, if any. */
export function parityStart(snapshots: readonly AccountSnapshot[], firstDecision: string | undefined): ParityStart {
  const first = snapshots[0]?.session;
  if (!first || !firstDecision || firstDecision <= first) return { snapshots: [...snapshots] };
  const from = snapshots.findIndex((s) => s.session >= firstDecision);
  if (from < 0) return { snapshots: [...snapshots], note: `the account has not rebalanced yet (its first scheduled rebalance is after ${snapshots.at(-1)!.session}); the backtest invests from ${first}` };
  return {
    snapshots: snapshots.slice(from),
    note: `the account started on ${first} and first rebalanced on ${snapshots[from].session} (a deployed account invests at its first scheduled rebalance, a backtest on its first session): the comparison starts on ${snapshots[from].session}`,
  };
}
