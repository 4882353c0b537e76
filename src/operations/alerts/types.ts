/**
 * @module What an alert is: one event of the running system, worded for a person, with the
 * structured facts behind it. Channels render it; the dispatcher routes, limits and retries it.
 */

export const ALERT_KINDS = [
  'regime_change',
  'rebalance_planned',
  'rebalance_queued',
  'rebalance_completed',
  'rebalance_completed_with_issues',
  'rebalance_stopped',
  'fills',
  'daily_summary',
  'data_failure',
  'stale_data',
  'daemon_start',
  'daemon_stop',
  'daemon_crash',
  'catch_up',
  'lease_conflict',
  'test',
] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertEvent {
  kind: AlertKind;
  severity: AlertSeverity;
  /** One line, e.g. "Regime changed: TREND_BULL -> TREND_BEAR". */
  title: string;
  /** The message body: plain text, a few short lines. */
  text: string;
  at: Date;
  account?: string;
  /** The facts behind the message (sent as JSON by the generic webhook). */
  data?: Record<string, unknown>;
}

/** A channel delivers one rendered alert or throws; `retryAfterMs` on the error asks for a pause. */
export interface AlertChannel {
  readonly name: string;
  readonly type: string;
  send(event: AlertEvent): Promise<void>;
  close?(): Promise<void>;
}

export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}
