/**
 * @module Channels from configuration: each channel's secrets are read from the environment
 * variables the config names; a missing one is one sentence naming the variable.
 */
import type { Clock } from '../../core/clock.js';
import { AtlasError } from '../../core/errors.js';
import { EmailChannel } from './channels/email.js';
import { TelegramChannel } from './channels/telegram.js';
import { WebhookChannel } from './channels/webhook.js';
import { channelLabel, type AlertsConfig, type ChannelConfig } from './config.js';
import { AlertDispatcher, type DispatcherOptions } from './dispatcher.js';
import type { AlertJournal } from './journal.js';
import type { AlertChannel, AlertKind } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

function need(env: Env, name: string, label: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') {
    throw new AtlasError(`Alert channel ${label} needs ${name} set in the environment or .env; set it, or remove the channel from the alerts config.`, { code: 'ALERT_CHANNEL_CONFIG' });
  }
  return v.trim();
}

export function createChannel(c: ChannelConfig, index: number, env: Env, opts: { allowSelfSigned?: boolean } = {}): AlertChannel {
  const name = channelLabel(c, index);
  if (c.type === 'webhook') return new WebhookChannel({ name, url: need(env, c.urlEnv, name), format: c.format });
  if (c.type === 'telegram') return new TelegramChannel({ name, token: need(env, c.tokenEnv, name), chatId: c.chatId, apiBase: c.apiBase });
  return new EmailChannel({
    name,
    host: c.host,
    port: c.port,
    secure: c.secure,
    ...(c.userEnv ? { user: need(env, c.userEnv, name) } : {}),
    ...(c.passwordEnv ? { password: need(env, c.passwordEnv, name) } : {}),
    from: c.from,
    to: c.to,
    ...(opts.allowSelfSigned ? { allowSelfSigned: true } : {}),
  });
}

export function createDispatcher(
  config: AlertsConfig,
  env: Env,
  deps: { clock: Clock; journal?: AlertJournal; secrets?: () => readonly string[]; onFailure?: DispatcherOptions['onFailure']; allowSelfSigned?: boolean } & Pick<DispatcherOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): AlertDispatcher {
  const channels = config.channels.map((c, i) => ({
    channel: createChannel(c, i, env, { allowSelfSigned: deps.allowSelfSigned === true }),
    events: new Set(c.events as (AlertKind | '*')[]),
    maxPerMinute: c.maxPerMinute,
  }));
  return new AlertDispatcher({ ...deps, channels });
}
