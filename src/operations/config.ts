/**
 * @module The operations file: how this data directory runs unattended (alert channels today;
 * the daemon's schedule settings join it). `<data dir>/atlas.operations.json` by default, JSON with
 * comments; secrets are named by environment variable, never written in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirname, resolve } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { AtlasError } from '../core/errors.js';
import { loadStrategyFile, type LoadedStrategy } from '../strategy/index.js';
import { parseAlertsConfig, type AlertsConfig } from './alerts/config.js';
import { DEFAULT_SCHEDULE, type DeployedAccount, type ScheduleSettings } from './schedule/jobs.js';

export const runSettingsSchema = z
  .object({
    strategies: z.array(z.string().min(1)).default([]).describe('strategy files (relative to this file) whose accounts the daemon trades'),
    afterCloseDelayMinutes: z.number().int().min(0).max(600).default(DEFAULT_SCHEDULE.afterCloseDelayMinutes),
    afterOpenDelayMinutes: z.number().int().min(0).max(300).default(DEFAULT_SCHEDULE.afterOpenDelayMinutes),
    syncProvider: z.enum(['auto', 'tiingo', 'yahoo', 'alpaca', 'none']).default('auto').describe('where the daily bars come from; none = someone else fills the store'),
  })
  .strict();

export type RunSettings = z.output<typeof runSettingsSchema>;

export const OPERATIONS_FILE = 'atlas.operations.json';

export interface OperationsConfig {
  path: string | null;
  alerts: AlertsConfig;
  run: RunSettings;
}

export function operationsFilePath(dataDir: string, explicit?: string): string {
  return explicit ?? join(dataDir, OPERATIONS_FILE);
}

/** Reads the operations file; a missing default file means "no channels", a missing explicit one is an error. */
export function loadOperationsConfig(dataDir: string, explicit?: string): OperationsConfig {
  const path = operationsFilePath(dataDir, explicit);
  if (!existsSync(path)) {
    if (explicit !== undefined) throw new AtlasError(`Operations file ${path} does not exist; check the --config path.`, { code: 'CONFIG_NOT_FOUND' });
    return { path: null, alerts: { channels: [] }, run: runSettingsSchema.parse({}) };
  }
  const text = readFileSync(path, 'utf8');
  const errors: ParseError[] = [];
  const content = parseJsonc(text, errors, { allowTrailingComma: true }) as Record<string, unknown> | undefined;
  if (errors.length > 0) {
    const line = text.slice(0, errors[0].offset).split('\n').length;
    throw new AtlasError(`${path} line ${line} is not valid JSON (${printParseErrorCode(errors[0].error)}); fix the syntax and run again.`, { code: 'BAD_CONFIG' });
  }
  const run = runSettingsSchema.safeParse(content?.run ?? {});
  if (!run.success) {
    const issue = run.error.issues[0];
    throw new AtlasError(`${path} has an invalid run setting at run.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}; see docs/operations.md.`, { code: 'BAD_CONFIG' });
  }
  const base = dirname(path);
  return { path, alerts: parseAlertsConfig(content?.alerts ?? {}, path), run: { ...run.data, strategies: run.data.strategies.map((s) => resolve(base, s)) } };
}

export function scheduleSettings(run: RunSettings): ScheduleSettings {
  return { afterCloseDelayMinutes: run.afterCloseDelayMinutes, afterOpenDelayMinutes: run.afterOpenDelayMinutes };
}

export interface Deployment {
  strategy: LoadedStrategy;
  accounts: DeployedAccount[];
}

/** Loads each strategy file and lists the accounts that trade it; an account in two files is refused. */
export function loadDeployments(strategyFiles: readonly string[]): Deployment[] {
  const seen = new Map<string, string>();
  return strategyFiles.map((file) => {
    const strategy = loadStrategyFile(file);
    const accounts = strategy.strategy.accounts.map((a): DeployedAccount => {
      const key = `${a.broker}:${a.name.toUpperCase()}`;
      const other = seen.get(key);
      if (other !== undefined) {
        throw new AtlasError(`Account ${a.name} (${a.broker}) is deployed by both ${other} and ${file}; an account runs one strategy, so remove it from one file.`, { code: 'ACCOUNT_DEPLOYED_TWICE' });
      }
      seen.set(key, file);
      return { account: a.name.toUpperCase(), broker: a.broker, rebalance: strategy.strategy.rebalance, regimeMode: strategy.strategy.regime.mode, strategyName: strategy.strategy.name };
    });
    return { strategy, accounts };
  });
}
