/** @module How an alert reads as plain text: title, body, and when / which account. */
import { DateTime } from 'luxon';
import type { AlertEvent } from './types.js';

const ICON: Record<AlertEvent['severity'], string> = { info: 'ℹ️', warning: '⚠️', critical: '🛑' };

export function nyTime(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'America/New_York' }).toFormat("yyyy-LL-dd HH:mm 'ET'");
}

export function alertText(e: AlertEvent, opts: { icon?: boolean; maxLength?: number } = {}): string {
  const head = `${opts.icon ? `${ICON[e.severity]} ` : ''}Atlas: ${e.title}`;
  const foot = `${nyTime(e.at)}${e.account ? ` · account ${e.account}` : ''} · ${e.kind}`;
  const full = [head, e.text.trim(), foot].filter((s) => s.length > 0).join('\n');
  const max = opts.maxLength ?? Number.POSITIVE_INFINITY;
  return full.length <= max ? full : `${full.slice(0, Math.max(0, max - 2))} …`;
}

export function alertSubject(e: AlertEvent): string {
  return `[Atlas${e.severity === 'info' ? '' : ` ${e.severity.toUpperCase()}`}] ${e.title}`;
}
