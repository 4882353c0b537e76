import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAlertJournal } from '../../src/operations/alerts/index.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { startFakeTelegram, startFakeWebhook, type FakeTelegram, type FakeWebhook } from '../support/fakeAlertServers.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const started: { close(): Promise<void> }[] = [];
const envBefore = { ...process.env };
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
  process.env = { ...envBefore };
});

describe('atlas alert test', () => {
  it('sends one message per channel and reports each; a failing channel exits 1 and is named', async () => {
    const hook: FakeWebhook = await startFakeWebhook();
    const tg: FakeTelegram = await startFakeTelegram();
    started.push(hook, tg);
    const dir = tmp();
    process.env.T_HOOK = hook.url;
    process.env.T_TG = tg.token;
    writeFileSync(
      join(dir, 'atlas.operations.json'),
      JSON.stringify({ alerts: { channels: [{ type: 'webhook', name: 'ops-hook', urlEnv: 'T_HOOK' }, { type: 'telegram', name: 'phone', tokenEnv: 'T_TG', chatId: '99', apiBase: tg.apiBase }] } }),
    );
    const ok = await atlasInProcess(['--data-dir', dir, 'alert', 'test', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([
      { channel: 'ops-hook', type: 'webhook', delivered: true, error: null },
      { channel: 'phone', type: 'telegram', delivered: true, error: null },
    ]);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0].body).toMatchObject({ source: 'atlas', kind: 'test', title: 'Test message' });
    expect(tg.messages[0]).toMatchObject({ chat_id: '99' });
    expect(readAlertJournal(dir)).toHaveLength(2);

    hook.status = 500;
    const bad = await atlasInProcess(['--data-dir', dir, 'alert', 'test']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/ops-hook[\s│]+webhook[\s│]+FAILED: webhook answered HTTP 500/);
    expect(bad.stdout).toMatch(/phone[\s│]+telegram[\s│]+delivered/);
    expect(bad.stdout + bad.stderr).not.toContain(tg.token);
  });

  it('no channels configured: one sentence saying where to add them', async () => {
    const dir = tmp();
    const r = await atlasInProcess(['--data-dir', dir, 'alert', 'test']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No alert channels are configured; add "alerts"/);
  });
});
