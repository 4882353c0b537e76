/**
 * @module `atlas dashboard`: the read-only browser view of the store (docs/dashboard.md). Prints
 * the login URL (it carries the access token) and serves until interrupted.
 */
import type { Command } from 'commander';
import { AtlasError } from '../../core/errors.js';
import { DEFAULT_PORT } from '../../dashboard/defaults.js';
import { parseRegimeModelList } from '../../regime/models/registry.js';
import type { Cli } from '../main.js';
import { intFlag } from './strategyFlags.js';

export function registerDashboardCommand(program: Command, cli: Cli): void {
  program
    .command('dashboard')
    .description('serve the read-only dashboard (overview, regime, portfolio, runs, research, data) on 127.0.0.1')
    .option('--port <n>', 'port to listen on', String(DEFAULT_PORT))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--allow-remote', 'allow a --host other than loopback (the token still guards every page)')
    .option('--regime-models <list>', 'regime models to compare on the Regime page besides those the strategy files name, e.g. seed,sma200')
    .addHelpText('after', `
The first start creates a random access token in the data directory (dashboard.token, mode 0600);
open the printed login URL once, and the browser keeps a cookie. Pages update live when a
snapshot, a run event or an alert is written.

Examples:
  $ atlas dashboard
  $ atlas --data-dir /tmp/atlas-demo dashboard --port 9000
  $ atlas dashboard --regime-models seed,sma200,sma10m`)
    .action(async (opts: { port: string; host: string; allowRemote?: boolean; regimeModels?: string }) => {
      const regimeModels = opts.regimeModels ? parseRegimeModelList(opts.regimeModels, '--regime-models') : undefined;
      const ctx = cli.context();
      const port = intFlag('--port', opts.port, 0);
      if (port > 65535) throw new AtlasError(`--port must be 0..65535, got ${opts.port}.`, { code: 'BAD_FLAG' });
      let running;
      try {
        // hono and the pages are loaded when the dashboard starts, not with every command.
        const { startDashboard } = await import('../../dashboard/server.js');
        running = await startDashboard({ dataDir: ctx.dataDir, host: opts.host, port, allowRemote: opts.allowRemote ?? false, clock: ctx.clock, secrets: ctx.secrets, regimeModels });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new AtlasError(`Port ${port} on ${opts.host} is in use; stop what holds it or pick another with --port.`, { code: 'PORT_IN_USE' });
        if (code === 'EADDRNOTAVAIL') throw new AtlasError(`${opts.host} is not an address of this machine; use 127.0.0.1.`, { code: 'BAD_FLAG' });
        throw err;
      }
      if (running.warning) cli.io.note(running.warning);
      if (running.tokenCreated) cli.io.note(`Created the access token in ${running.tokenPath} (mode 0600).`);
      // The login URL carries the token: printed on purpose, it is how the user gets in.
      cli.io.out(`Atlas dashboard on ${running.url} (read-only). Open:\n  ${running.loginUrl}\nCtrl-C to stop.`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
