/**
 * @module Webhook channel: one JSON POST per alert. `json` sends the alert itself; `slack`
 * sends {text} (Slack incoming webhooks); `discord` sends {content} (Discord webhooks, 2,000
 * characters at most). 429 and 5xx are retryable, with the server's Retry-After honoured.
 */
import { alertText } from '../format.js';
import { ChannelError, type AlertChannel, type AlertEvent } from '../types.js';

export interface WebhookOptions {
  name: string;
  url: string;
  format: 'json' | 'slack' | 'discord';
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function webhookBody(format: WebhookOptions['format'], e: AlertEvent): unknown {
  if (format === 'slack') return { text: alertText(e, { icon: true, maxLength: 3_000 }) };
  if (format === 'discord') return { content: alertText(e, { icon: true, maxLength: 2_000 }) };
  return { source: 'atlas', kind: e.kind, severity: e.severity, title: e.title, text: e.text, at: e.at.toISOString(), account: e.account ?? null, data: e.data ?? {} };
}

export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export class WebhookChannel implements AlertChannel {
  readonly type = 'webhook';
  readonly name: string;

  constructor(private readonly opts: WebhookOptions) {
    this.name = opts.name;
  }

  async send(e: AlertEvent): Promise<void> {
    const doFetch = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'atlas-alerts' },
        body: JSON.stringify(webhookBody(this.opts.format, e)),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ChannelError(`webhook request failed (${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message})`, true);
    }
    const body = await res.text().catch(() => '');
    if (res.ok) return;
    const retryable = res.status === 429 || res.status >= 500;
    throw new ChannelError(`webhook answered HTTP ${res.status}${body ? `: ${body.slice(0, 120)}` : ''}`, retryable, retryAfterMs(res.headers.get('retry-after')));
  }
}
