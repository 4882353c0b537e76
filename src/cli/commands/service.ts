/**
 * @module `atlas service install`: a systemd user unit that keeps `atlas run` alive for this data
 * directory (Restart=on-failure; systemd sends SIGTERM on stop, which the daemon finishes its
 * step on), and the equivalent cron line for people who prefer `atlas run --once`.
 */
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cli } from '../main.js';

export function serviceUnit(opts: { node: string; cli: string; dataDir: string; workDir: string }): string {
  return `[Unit]
Description=Atlas daemon for ${opts.dataDir}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
WorkingDirectory=${opts.workDir}
Environment=ATLAS_HOME=${opts.dataDir}
ExecStart=${opts.node} ${opts.cli} run --data-dir ${opts.dataDir}
Restart=on-failure
RestartSec=30
KillSignal=SIGTERM
TimeoutStopSec=600

[Install]
WantedBy=default.target
`;
}

/** Every 15 minutes on weekdays: --once does whatever is due and exits. */
export function cronLine(opts: { node: string; cli: string; dataDir: string; workDir: string }): string {
  return `*/15 * * * 1-5 cd ${opts.workDir} && ${opts.node} ${opts.cli} run --once --data-dir ${opts.dataDir} >> ${join(opts.dataDir, 'daemon.log')} 2>&1`;
}

export function registerServiceCommands(program: Command, cli: Cli): void {
  const service = program.command('service').description('install the daemon as a service');
  service
    .command('install')
    .description('write a systemd user unit for `atlas run` (and print the equivalent cron line)')
    .option('--dir <dir>', 'where to write the unit (default: ~/.config/systemd/user)')
    .option('--name <name>', 'unit name', 'atlas')
    .addHelpText('after', `
Examples:
  $ atlas service install && systemctl --user daemon-reload && systemctl --user enable --now atlas
  $ atlas service install --dir ./deploy`)
    .action((flags: { dir?: string; name: string }) => {
      const ctx = cli.context();
      const dir = resolve(flags.dir ?? join(homedir(), '.config', 'systemd', 'user'));
      const opts = { node: process.execPath, cli: resolve(process.argv[1] ?? 'atlas'), dataDir: resolve(ctx.dataDir), workDir: process.cwd() };
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${flags.name}.service`);
      writeFileSync(path, serviceUnit(opts));
      cli.io.out(`wrote ${path}`);
      cli.io.out(`enable it: systemctl --user daemon-reload && systemctl --user enable --now ${flags.name}`);
      cli.io.out(`or, with cron instead (crontab -e):\n${cronLine(opts)}`);
    });
}
