/**
 * @module The alert dispatcher: routes each event to the channels that want it, redacts it,
 * limits each channel's rate, retries with backoff and full jitter, and records the outcome.
 * `emit` never throws and never waits: trading code calls it and moves on, so a slow or failing
 * channel can never delay a rebalance. Each channel has its own queue, so one stuck channel does
 * not hold the others back either.
 */
import type { Clock } from '../../core/clock.js';
import { redact } from '../../core/redact.js';
import type { AlertJournal } from './journal.js';
import { ChannelError, type AlertChannel, type AlertEvent, type AlertKind } from './types.js';

export interface RoutedChannel {
  channel: AlertChannel;
  /** Kinds it receives; '*' for all. */
  events: ReadonlySet<AlertKind | '*'>;
  maxPerMinute: number;
}

export interface DispatcherOptions {
  channels: readonly RoutedChannel[];
  clock: Clock;
  /** Values to mask in every message (read at send time: keys may be registered later). */
  secrets?: () => readonly string[];
  journal?: AlertJournal;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** Told about every failed delivery (the daemon logs it). */
  onFailure?: (channel: string, event: AlertEvent, error: string) => void;
}

export interface ChannelStatus {
  name: string;
  type: string;
  delivered: number;
  failed: number;
  folded: number;
  pending: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastDeliveredAt: string | null;
}

const WINDOW_MS = 60_000;

class ChannelQueue {
  readonly status: ChannelStatus;
  private readonly waiting: AlertEvent[] = [];
  private readonly sentAt: number[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly routed: RoutedChannel,
    private readonly opts: DispatcherOptions,
  ) {
    this.status = { name: routed.channel.name, type: routed.channel.type, delivered: 0, failed: 0, folded: 0, pending: 0, lastError: null, lastErrorAt: null, lastDeliveredAt: null };
  }

  wants(kind: AlertKind): boolean {
    return this.routed.events.has('*') || this.routed.events.has(kind);
  }

  push(e: AlertEvent): void {
    this.waiting.push(e);
    this.status.pending = this.waiting.length;
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const now = this.opts.clock.now().getTime();
      while (this.sentAt.length > 0 && now - this.sentAt[0] >= WINDOW_MS) this.sentAt.shift();
      if (this.sentAt.length >= this.routed.maxPerMinute) {
        await this.opts.clock.sleep(this.sentAt[0] + WINDOW_MS - now);
        continue;
      }
      // One slot left in the window and more than one waiting: fold the rest into one message.
      const room = this.routed.maxPerMinute - this.sentAt.length;
      const batch = room === 1 && this.waiting.length > 1 ? this.waiting.splice(0) : this.waiting.splice(0, 1);
      this.status.pending = this.waiting.length;
      const event = batch.length === 1 ? batch[0] : fold(batch);
      if (batch.length > 1) {
        this.status.folded += batch.length;
        for (const b of batch) this.record(b, 'folded', 0);
      }
      this.sentAt.push(this.opts.clock.now().getTime());
      await this.deliver(event);
    }
    this.status.pending = 0;
  }

  private async deliver(e: AlertEvent): Promise<void> {
    const secrets = this.opts.secrets?.() ?? [];
    const safe = scrub(e, secrets);
    const max = Math.max(1, this.opts.maxAttempts ?? 5);
    const base = this.opts.baseDelayMs ?? 1_000;
    const cap = this.opts.maxDelayMs ?? 60_000;
    const random = this.opts.random ?? Math.random;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.routed.channel.send(safe);
        this.status.delivered++;
        this.status.lastDeliveredAt = this.opts.clock.now().toISOString();
        this.record(safe, 'delivered', attempt);
        return;
      } catch (err) {
        const msg = redact(err instanceof Error ? err.message : String(err), secrets);
        const retryable = err instanceof ChannelError ? err.retryable : true;
        if (!retryable || attempt >= max) {
          this.status.failed++;
          this.status.lastError = msg;
          this.status.lastErrorAt = this.opts.clock.now().toISOString();
          this.record(safe, 'failed', attempt, msg);
          this.opts.onFailure?.(this.status.name, safe, msg);
          return;
        }
        // Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^attempt)].
        const backoff = random() * Math.min(cap, base * 2 ** attempt);
        const asked = err instanceof ChannelError && err.retryAfterMs !== undefined ? err.retryAfterMs + 1_000 : 0;
        await this.opts.clock.sleep(Math.max(backoff, asked));
      }
    }
  }

  private record(e: AlertEvent, outcome: 'delivered' | 'failed' | 'folded', attempts: number, error?: string): void {
    try {
      this.opts.journal?.append({
        at: this.opts.clock.now().toISOString(),
        kind: e.kind,
        severity: e.severity,
        title: e.title,
        channel: this.status.name,
        outcome,
        attempts,
        ...(error !== undefined ? { error } : {}),
      });
    } catch {
      // The journal is a record, not a gate: a full disk must not stop alerts or trading.
    }
  }
}

function scrub(e: AlertEvent, secrets: readonly string[]): AlertEvent {
  return {
    ...e,
    title: redact(e.title, secrets),
    text: redact(e.text, secrets),
    ...(e.data !== undefined ? { data: JSON.parse(redact(JSON.stringify(e.data), secrets)) as Record<string, unknown> } : {}),
  };
}

function fold(batch: readonly AlertEvent[]): AlertEvent {
  const worst = batch.some((b) => b.severity === 'critical') ? 'critical' : batch.some((b) => b.severity === 'warning') ? 'warning' : 'info';
  return {
    kind: batch[batch.length - 1].kind,
    severity: worst,
    title: `${batch.length} alerts (rate limit reached, folded into one)`,
    text: batch.map((b) => `• ${b.title}`).join('\n'),
    at: batch[batch.length - 1].at,
    data: { folded: batch.map((b) => ({ kind: b.kind, title: b.title, at: b.at.toISOString() })) },
  };
}

export class AlertDispatcher {
  private readonly queues: ChannelQueue[];

  constructor(opts: DispatcherOptions) {
    this.queues = opts.channels.map((c) => new ChannelQueue(c, opts));
  }

  /** Queues the event for every channel that wants it; returns at once. */
  emit(event: AlertEvent): void {
    for (const q of this.queues) if (q.wants(event.kind)) q.push(event);
  }

  /** Resolves when every queued message is delivered or has failed (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.idle()));
  }

  status(): ChannelStatus[] {
    return this.queues.map((q) => ({ ...q.status }));
  }
}
