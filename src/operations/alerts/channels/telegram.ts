/**
 * @module Telegram channel: the Bot API's sendMessage (POST {apiBase}/bot{token}/sendMessage with
 * chat_id and text, 4,096 characters at most). Telegram answers {"ok": false, "error_code",
 * "description", "parameters": {"retry_after"}} on failure; 429 and 5xx are retryable.
 */
import { alertText } from '../format.js';
import { ChannelError, type AlertChannel, type AlertEvent } from '../types.js';

export interface TelegramOptions {
  name: string;
  token: string;
  chatId: string | number;
  apiBase: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface TelegramReply {
  ok: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

export class TelegramChannel implements AlertChannel {
  readonly type = 'telegram';
  readonly name: string;

  constructor(private readonly opts: TelegramOptions) {
    this.name = opts.name;
  }

  async send(e: AlertEvent): Promise<void> {
    const doFetch = this.opts.fetch ?? fetch;
    const url = `${this.opts.apiBase.replace(/\/+$/, '')}/bot${this.opts.token}/sendMessage`;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: this.opts.chatId, text: alertText(e, { icon: true, maxLength: 4_096 }), disable_web_page_preview: true }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      // The token is part of the URL: never let a fetch error's message carry it.
      throw new ChannelError(`Telegram request failed (${(err as Error).name === 'TimeoutError' ? 'timed out' : 'network error'})`, true);
    }
    let reply: TelegramReply | undefined;
    try {
      reply = (await res.json()) as TelegramReply;
    } catch {
      reply = undefined;
    }
    if (res.ok && reply?.ok === true) return;
    const status = reply?.error_code ?? res.status;
    const after = reply?.parameters?.retry_after;
    throw new ChannelError(`Telegram answered ${status}: ${reply?.description ?? 'no description'}`, status === 429 || status >= 500, after === undefined ? undefined : after * 1000);
  }
}
