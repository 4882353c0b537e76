/**
 * @module The operations file: how this data directory runs unattended (alert channels today;
 * the daemon's schedule settings join it). `<data dir>/atlas.operations.json` by default, JSON with
 * comments; secrets are named by environment variable, never written in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { AtlasError } from '../core/errors.js';
import { parseAlertsConfig, type AlertsConfig } from './alerts/config.js';

export const OPERATIONS_FILE = 'atlas.operations.json';

export interface OperationsConfig {
  path: string | null;
  alerts: AlertsConfig;
}

export function operationsFilePath(dataDir: string, explicit?: string): string {
  return explicit ?? join(dataDir, OPERATIONS_FILE);
}

/** Reads the operations file; a missing default file means "no channels", a missing explicit one is an error. */
export function loadOperationsConfig(dataDir: string, explicit?: string): OperationsConfig {
  const path = operationsFilePath(dataDir, explicit);
  if (!existsSync(path)) {
    if (explicit !== undefined) throw new AtlasError(`Operations file ${path} does not exist; check the --config path.`, { code: 'CONFIG_NOT_FOUND' });
    return { path: null, alerts: { channels: [] } };
  }
  const text = readFileSync(path, 'utf8');
  const errors: ParseError[] = [];
  const content = parseJsonc(text, errors, { allowTrailingComma: true }) as Record<string, unknown> | undefined;
  if (errors.length > 0) {
    const line = text.slice(0, errors[0].offset).split('\n').length;
    throw new AtlasError(`${path} line ${line} is not valid JSON (${printParseErrorCode(errors[0].error)}); fix the syntax and run again.`, { code: 'BAD_CONFIG' });
  }
  return { path, alerts: parseAlertsConfig(content?.alerts ?? {}, path) };
}
