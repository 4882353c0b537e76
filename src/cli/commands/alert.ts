/**
 * @module `atlas alert test`: sends one message to every configured alert channel and says, per
 * channel, whether it arrived; exit 1 when any channel failed.
 */
import type { Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { createDispatcher, FileAlertJournal, secretEnvNames } from '../../operations/alerts/index.js';
import { loadOperationsConfig } from '../../operations/config.js';
import type { Cli } from '../main.js';
import { json, table } from '../output.js';

export function registerAlertCommands(program: Command, cli: Cli): void {
  const alert = program.command('alert').description('alert channels: webhook (Slack, Discord), email (SMTP), Telegram');
  alert
    .command('test')
    .description('send a test message to every configured channel')
    .option('--config <file>', 'operations file (default: <data dir>/atlas.operations.json)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Channels are configured in the operations file (docs/operations.md), e.g.
  { "alerts": { "channels": [ { "type": "telegram", "chatId": 123456, "tokenEnv": "ATLAS_TELEGRAM_BOT_TOKEN" } ] } }

Examples:
  $ atlas alert test
  $ atlas alert test --config ops/atlas.operations.json --json`)
    .action(async (flags: { config?: string; json?: boolean }) => {
      const ctx = cli.context();
      const ops = loadOperationsConfig(ctx.dataDir, flags.config);
      if (ops.alerts.channels.length === 0) {
        throw new AtlasError(`No alert channels are configured; add "alerts": {"channels": [...]} to ${ops.path ?? `${ctx.dataDir}/atlas.operations.json`} (docs/operations.md).`, { code: 'NO_ALERT_CHANNELS' });
      }
      const env = process.env;
      const secretNames = secretEnvNames(ops.alerts);
      const dispatcher = createDispatcher(ops.alerts, env, {
        clock: ctx.clock,
        journal: new FileAlertJournal(ctx.dataDir),
        secrets: () => [...ctx.secrets, ...secretNames.map((n) => env[n] ?? '').filter(Boolean)],
        maxAttempts: 2,
        baseDelayMs: 250,
      });
      dispatcher.emit({ kind: 'test', severity: 'info', title: 'Test message', text: `atlas alert test from ${ctx.dataDir}: if you read this, the channel works.`, at: ctx.clock.now() });
      await dispatcher.flush();
      const status = dispatcher.status();
      if (flags.json) cli.io.out(json(status.map((s) => ({ channel: s.name, type: s.type, delivered: s.delivered === 1, error: s.lastError }))));
      else cli.io.out(table(['channel', 'type', 'result'], status.map((s) => [s.name, s.type, s.delivered === 1 ? 'delivered' : `FAILED: ${s.lastError ?? 'unknown'}`]), { align: ['left', 'left', 'left'] }));
      if (status.some((s) => s.delivered !== 1)) cli.fail(1);
    });
}
