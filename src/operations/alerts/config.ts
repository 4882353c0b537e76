/**
 * @module The alerts configuration: channels, what each one receives, and its limits. Secrets
 * (SMTP password, bot token, webhook URLs that embed a token) are never written in the file: the
 * file names the environment variable that holds each one.
 */
import { z } from 'zod';
import { AtlasError } from '../../core/errors.js';
import { ALERT_KINDS } from './types.js';

const events = z.array(z.enum([...ALERT_KINDS, '*'])).default(['*']).describe('alert kinds this channel receives; "*" = all');
const common = {
  name: z.string().min(1).max(40).optional(),
  events,
  maxPerMinute: z.number().int().min(1).max(600).default(20).describe('messages per minute before the rest are folded into one'),
};
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as ATLAS_WEBHOOK_URL');

export const channelConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), format: z.enum(['json', 'slack', 'discord']).default('json'), urlEnv: envName, ...common }).strict(),
  z
    .object({
      type: z.literal('email'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z.boolean().default(false).describe('TLS from the first byte (port 465); otherwise STARTTLS when offered'),
      userEnv: envName.optional(),
      passwordEnv: envName.optional(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('telegram'),
      tokenEnv: envName.default('ATLAS_TELEGRAM_BOT_TOKEN'),
      chatId: z.union([z.string().min(1), z.number().int()]),
      apiBase: z.string().url().default('https://api.telegram.org'),
      ...common,
    })
    .strict(),
]);

export const alertsConfigSchema = z.object({ channels: z.array(channelConfigSchema).default([]) }).strict();

export type ChannelConfig = z.output<typeof channelConfigSchema>;
export type AlertsConfig = z.output<typeof alertsConfigSchema>;

export function parseAlertsConfig(content: unknown, source: string): AlertsConfig {
  const res = alertsConfigSchema.safeParse(content ?? {});
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'the top level';
  throw new AtlasError(`${source} has an invalid alerts setting at ${where}: ${issue?.message ?? 'invalid'}; see docs/operations.md.`, { code: 'BAD_ALERTS_CONFIG' });
}

/** The channel's label in status lines and errors: its name, else type and position. */
export function channelLabel(c: ChannelConfig, index: number): string {
  return c.name ?? `${c.type}-${index + 1}`;
}

/** Every env variable the config names (so their values are registered as secrets). */
export function secretEnvNames(config: AlertsConfig): string[] {
  const out: string[] = [];
  for (const c of config.channels) {
    if (c.type === 'webhook') out.push(c.urlEnv);
    if (c.type === 'email') out.push(...[c.userEnv, c.passwordEnv].filter((v): v is string => v !== undefined));
    if (c.type === 'telegram') out.push(c.tokenEnv);
  }
  return out;
}
