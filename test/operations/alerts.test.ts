import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import {
  AlertDispatcher,
  createDispatcher,
  parseAlertsConfig,
  readAlertJournal,
  FileAlertJournal,
  secretEnvNames,
  WebhookChannel,
  type AlertEvent,
} from '../../src/operations/alerts/index.js';
import { startFakeSmtp, startFakeTelegram, startFakeWebhook, type FakeSmtp, type FakeTelegram, type FakeWebhook } from '../support/fakeAlertServers.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const at = new Date('2024-03-05T21:30:00Z');
const ev = (over: Partial<AlertEvent> = {}): AlertEvent => ({
  kind: 'regime_change',
  severity: 'warning',
  title: 'Regime changed: TREND_BULL -> TREND_BEAR',
  text: 'SPY closed below its trend; exposure goes from 100% to 30% at the next rebalance.',
  at,
  ...over,
});

async function rig(opts: { webhookEvents?: string[]; maxPerMinute?: number } = {}) {
  const hook: FakeWebhook = await startFakeWebhook();
  const tg: FakeTelegram = await startFakeTelegram();
  const smtp: FakeSmtp = await startFakeSmtp();
  servers.push(hook, tg, smtp);
  const env = { HOOK_URL: hook.url, TG_TOKEN: tg.token, SMTP_USER: smtp.user, SMTP_PASS: smtp.password };
  const config = parseAlertsConfig(
    {
      channels: [
        { type: 'webhook', name: 'slack', format: 'slack', urlEnv: 'HOOK_URL', events: opts.webhookEvents ?? ['*'], maxPerMinute: opts.maxPerMinute ?? 20 },
        { type: 'telegram', name: 'phone', tokenEnv: 'TG_TOKEN', chatId: 42, apiBase: tg.apiBase },
        { type: 'email', name: 'mail', host: '127.0.0.1', port: smtp.port, userEnv: 'SMTP_USER', passwordEnv: 'SMTP_PASS', from: 'atlas@localhost', to: ['me@localhost'] },
      ],
    },
    'alerts.json',
  );
  const clock = new ManualClock(at);
  const dir = tmp();
  const journal = new FileAlertJournal(dir);
  const secrets = () => secretEnvNames(config).map((n) => env[n as keyof typeof env]);
  const dispatcher = createDispatcher(config, env, { clock, journal, secrets, baseDelayMs: 10, random: () => 0.5 });
  return { hook, tg, smtp, clock, dir, dispatcher, env };
}

describe('alerts', () => {
  it('delivers one alert to the webhook (Slack format), Telegram and SMTP with its content', async () => {
    const r = await rig();
    r.dispatcher.emit(ev());
    await r.dispatcher.flush();
    expect(r.hook.received).toHaveLength(1);
    expect((r.hook.received[0].body as { text: string }).text).toMatch(/Atlas: Regime changed: TREND_BULL -> TREND_BEAR\nSPY closed below/);
    expect(r.tg.messages).toEqual([{ chat_id: 42, text: expect.stringContaining('exposure goes from 100% to 30%') as string }]);
    expect(r.smtp.messages).toHaveLength(1);
    expect(r.smtp.messages[0].subject).toBe('[Atlas WARNING] Regime changed: TREND_BULL -> TREND_BEAR');
    expect(r.smtp.messages[0].to).toEqual(['me@localhost']);
    expect(r.smtp.messages[0].text).toContain('2024-03-05 16:30 ET');
    expect(r.dispatcher.status().map((s) => [s.name, s.delivered, s.failed])).toEqual([['slack', 1, 0], ['phone', 1, 0], ['mail', 1, 0]]);
    expect(readAlertJournal(r.dir).map((j) => j.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('routes by kind: a channel gets only the events it names', async () => {
    const r = await rig({ webhookEvents: ['rebalance_completed', 'daemon_crash'] });
    r.dispatcher.emit(ev());
    r.dispatcher.emit(ev({ kind: 'rebalance_completed', severity: 'info', title: 'Rebalance completed' }));
    await r.dispatcher.flush();
    expect(r.hook.received).toHaveLength(1);
    expect(r.tg.messages).toHaveLength(2);
    expect(r.smtp.messages).toHaveLength(2);
  });

  it('a channel answering 500 is retried, then reported; emit never waits and the others deliver', async () => {
    const r = await rig();
    r.hook.status = 500;
    const before = r.clock.now().getTime();
    r.dispatcher.emit(ev());
    // emit returned synchronously: no simulated time passed
    expect(r.clock.now().getTime()).toBe(before);
    await r.dispatcher.flush();
    expect(r.hook.received).toHaveLength(5);
    expect(r.tg.messages).toHaveLength(1);
    const slack = r.dispatcher.status().find((s) => s.name === 'slack')!;
    expect(slack).toMatchObject({ delivered: 0, failed: 1, lastError: 'webhook answered HTTP 500: upstream broken' });
    expect(readAlertJournal(r.dir).filter((j) => j.outcome === 'failed')).toEqual([expect.objectContaining({ channel: 'slack', attempts: 5 })]);
  });

  it("Telegram's 429 retry_after is honoured (plus a second), then the message goes through", async () => {
    const r = await rig();
    r.tg.throttle(2, 7);
    const t0 = r.clock.now().getTime();
    r.dispatcher.emit(ev());
    await r.dispatcher.flush();
    expect(r.tg.messages).toHaveLength(1);
    expect(r.tg.requests).toBe(3);
    expect(r.clock.now().getTime() - t0).toBeGreaterThanOrEqual(2 * 8_000);
  });

  it('past the per-minute limit the rest is folded into one message', async () => {
    const r = await rig({ maxPerMinute: 2 });
    for (let i = 1; i <= 5; i++) r.dispatcher.emit(ev({ title: `event ${i}` }));
    await r.dispatcher.flush();
    expect(r.hook.received).toHaveLength(2);
    const folded = (r.hook.received[1].body as { text: string }).text;
    expect(folded).toMatch(/4 alerts \(rate limit reached, folded into one\)/);
    for (let i = 2; i <= 5; i++) expect(folded).toContain(`• event ${i}`);
    expect(r.tg.messages).toHaveLength(5);
  });

  it('secret values never leave: message text with a token or password is masked on every channel', async () => {
    const r = await rig();
    r.dispatcher.emit(ev({ text: `debug: token ${r.env.TG_TOKEN} password ${r.env.SMTP_PASS} url ${r.env.HOOK_URL}`, data: { leaked: r.env.SMTP_PASS } }));
    await r.dispatcher.flush();
    const everything = JSON.stringify([r.hook.received, r.tg.messages, r.smtp.messages.map((m) => m.raw)]);
    expect(everything).toContain('[REDACTED]');
    for (const s of [r.env.TG_TOKEN, r.env.SMTP_PASS, r.env.HOOK_URL]) expect(everything).not.toContain(s);
  });

  it('a webhook that never answers times out and counts as a failure, not a hang', async () => {
    const clock = new ManualClock(at);
    const hanging: typeof fetch = (_u, init) =>
      new Promise((_res, rej) => init?.signal?.addEventListener('abort', () => rej(Object.assign(new Error('aborted'), { name: 'TimeoutError' }))));
    const d = new AlertDispatcher({
      clock,
      maxAttempts: 2,
      baseDelayMs: 1,
      channels: [{ channel: new WebhookChannel({ name: 'h', url: 'http://127.0.0.1:9/x', format: 'json', timeoutMs: 50, fetch: hanging }), events: new Set(['*']), maxPerMinute: 10 }],
    });
    d.emit(ev());
    await d.flush();
    expect(d.status()[0]).toMatchObject({ failed: 1, lastError: 'webhook request failed (timed out)' });
  });

  it('configuration errors are one sentence naming the field or the variable', () => {
    expect(() => parseAlertsConfig({ channels: [{ type: 'pager' }] }, 'ops.json')).toThrow(/ops\.json has an invalid alerts setting at channels\.0\.type/);
    const cfg = parseAlertsConfig({ channels: [{ type: 'telegram', chatId: 1 }] }, 'ops.json');
    expect(() => createDispatcher(cfg, {}, { clock: new ManualClock(at) })).toThrow(
      'Alert channel telegram-1 needs ATLAS_TELEGRAM_BOT_TOKEN set in the environment or .env; set it, or remove the channel from the alerts config.',
    );
  });
});
