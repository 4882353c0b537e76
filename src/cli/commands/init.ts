/**
 * @module `atlas init`: writes a commented starter strategy file and a `.env.example`, refusing to
 * overwrite a file that exists (unless --force), and prints what to run next.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { AtlasError } from '../../core/errors.js';
import { DEFAULT_STRATEGY_FILE, envExampleText, parseStrategyText, shortHash, starterStrategyText, writeFileAtomic } from '../../strategy/index.js';
import type { Cli } from '../main.js';
import { json } from '../output.js';

interface InitFlags {
  path: string;
  regimeModel?: string;
  force?: boolean;
  json?: boolean;
}

export function registerInitCommand(program: Command, cli: Cli): void {
  program
    .command('init')
    .description('write a commented starter strategy file (atlas.strategy.json) and a .env.example')
    .option('--path <file>', 'where to write the strategy file', DEFAULT_STRATEGY_FILE)
    .option('--regime-model <name>', 'the regime model the strategy starts with')
    .option('--force', 'overwrite an existing strategy file')
    .option('--json', 'print what was written as JSON')
    .addHelpText('after', `
Examples:
  $ atlas init                                   atlas.strategy.json and .env.example in this folder
  $ atlas init --path strategies/large.json      another file (one per account if they differ)
  $ atlas backtest --strategy atlas.strategy.json --report report.html`)
    .action((flags: InitFlags) => {
      const path = resolve(flags.path);
      if (existsSync(path) && !flags.force) {
        throw new AtlasError(`${flags.path} already exists; edit it, choose another --path, or pass --force to replace it with the starter.`, { code: 'FILE_EXISTS' });
      }
      const text = starterStrategyText(flags.regimeModel ? { regimeModel: flags.regimeModel } : {});
      const loaded = parseStrategyText(text, flags.path);
      writeFileAtomic(path, text);
      const envPath = join(dirname(path), '.env.example');
      const wroteEnv = !existsSync(envPath);
      if (wroteEnv) writeFileAtomic(envPath, envExampleText());
      const shown = relative(process.cwd(), path) || path;
      const dataDir = (program.opts() as { dataDir?: string }).dataDir;
      const prefix = dataDir ? `atlas --data-dir ${dataDir}` : 'atlas';
      if (flags.json) {
        cli.io.out(json({ strategyFile: path, hash: loaded.hash, envExample: wroteEnv ? envPath : null, regimeModel: loaded.strategy.regime.model }));
        return;
      }
      cli.io.out(`wrote ${shown} (strategy ${shortHash(loaded.hash)}, regime model ${loaded.strategy.regime.model})`);
      if (wroteEnv) cli.io.out(`wrote ${relative(process.cwd(), envPath) || envPath} (copy it to .env and fill in the keys you use)`);
      cli.io.out(`next: ${prefix} backtest --strategy ${shown} --report report.html`);
    });
}
