/**
 * @module The live-update feed: while at least one browser listens, the server looks every
 * `intervalMs` at a cheap signature of the store and the alert journal (PRAGMA data_version, the
 * snapshot count and newest write, the newest run-order event, the journal's size) and tells the
 * listeners what kind of thing changed. The browser only waits on server-sent events.
 */
import type { ChangeSignature } from './readModel.js';

export type ChangeKind = 'snapshot' | 'run' | 'alert' | 'store';
export type ChangeListener = (kinds: ChangeKind[]) => void;

export function changedKinds(a: ChangeSignature, b: ChangeSignature): ChangeKind[] {
  const out: ChangeKind[] = [];
  if (a.snapshots !== b.snapshots) out.push('snapshot');
  if (a.runEvents !== b.runEvents) out.push('run');
  if (a.alerts !== b.alerts) out.push('alert');
  if (out.length === 0 && a.dataVersion !== b.dataVersion) out.push('store');
  return out;
}

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;
  private last: ChangeSignature | undefined;

  constructor(private readonly read: () => ChangeSignature, private readonly intervalMs = 250) {}

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.last = this.read();
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** One look; exposed so tests need no timers. */
  tick(): ChangeKind[] {
    const now = this.read();
    const kinds = this.last ? changedKinds(this.last, now) : [];
    this.last = now;
    if (kinds.length > 0) for (const l of this.listeners) l(kinds);
    return kinds;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
