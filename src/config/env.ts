import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AtlasError } from '../core/errors.js';
import { registerSecrets } from '../core/redact.js';

/**
 * Configuration comes from the environment, optionally seeded from a `.env` file in the working
 * directory (process.loadEnvFile; a missing file is fine, and real environment variables win).
 * Every value is validated here so that a bad one fails once, early, naming the variable.
 */
const key = z.string().trim().min(8).regex(/^\S+$/, 'must not contain spaces');
const url = z.url();

export const EnvSchema = z.object({
  ATLAS_HOME: z.string().min(1).optional(),
  ATLAS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  TIINGO_API_KEY: key.optional(),
  APCA_API_KEY_ID: key.optional(),
  APCA_API_SECRET_KEY: key.optional(),
  ALPACA_LARGE_KEY: key.optional(),
  ALPACA_LARGE_SECRET: key.optional(),
  ALPACA_MID_KEY: key.optional(),
  ALPACA_MID_SECRET: key.optional(),
  ALPACA_SMALL_KEY: key.optional(),
  ALPACA_SMALL_SECRET: key.optional(),
  /** Overrides for tests and proxies; the trading URL is still refused if it is a live endpoint. */
  ATLAS_TIINGO_URL: url.optional(),
  ATLAS_YAHOO_URL: url.optional(),
  ATLAS_ALPACA_DATA_URL: url.optional(),
  ATLAS_ALPACA_TRADING_URL: url.optional(),
});

export type AtlasEnv = z.infer<typeof EnvSchema>;

/** Names of variables whose values are secrets: never logged, never written to the audit trail. */
export const SECRET_VARIABLES = [
  'TIINGO_API_KEY', 'APCA_API_KEY_ID', 'APCA_API_SECRET_KEY',
  'ALPACA_LARGE_KEY', 'ALPACA_LARGE_SECRET', 'ALPACA_MID_KEY', 'ALPACA_MID_SECRET', 'ALPACA_SMALL_KEY', 'ALPACA_SMALL_SECRET',
] as const;

export function loadDotEnv(cwd: string = process.cwd()): void {
  const path = resolve(cwd, '.env');
  if (!existsSync(path)) return;
  try {
    process.loadEnvFile(path);
    registerEnvironmentSecrets();
  } catch (err) {
    throw new AtlasError(`Cannot read ${path} (${(err as Error).message}); fix its syntax (KEY=value per line) or remove it.`, { code: 'ENV_FILE' });
  }
}

/** Validates the environment; empty strings count as unset. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): AtlasEnv {
  const picked: Record<string, string> = {};
  for (const name of Object.keys(EnvSchema.shape)) {
    const v = source[name];
    if (v !== undefined && v !== '') picked[name] = v;
  }
  const res = EnvSchema.safeParse(picked);
  if (!res.success) {
    const issue = res.error.issues[0];
    const name = String(issue.path[0]);
    // Never echo the value: it may be a secret.
    throw new AtlasError(`Environment variable ${name} is malformed (${issue.message}); fix it in your shell or .env file.`, { code: 'ENV_INVALID' });
  }
  return res.data;
}

/**
 * Any other variable of Atlas's namespaces whose name says it holds a secret
 * (ATLAS_SMTP_PASSWORD, ALPACA_MID_SECRET, TIINGO_TOKEN, ...): masked too, so a key variable
 * added later is covered before anyone remembers to list it.
 */
const SECRET_NAME = /^(?:ATLAS|ALPACA|APCA|TIINGO)_\w*(?:_TOKEN|_PASSWORD|_SECRET|_KEY|_KEY_ID|_SECRET_KEY)$/;

/** Every secret value currently configured, for redaction. */
export function secretValues(env: AtlasEnv): string[] {
  return SECRET_VARIABLES.map((k) => env[k]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/**
 * The raw values of every secret variable in `source`, validated or not: a malformed key is
 * still a key, and must be masked in the error that reports it.
 */
export function secretValuesFromEnv(source: NodeJS.ProcessEnv = process.env): string[] {
  const names = new Set<string>(SECRET_VARIABLES);
  for (const name of Object.keys(source)) if (SECRET_NAME.test(name)) names.add(name);
  return [...names].map((n) => source[n]).filter((v): v is string => typeof v === 'string' && v.trim().length > 0);
}

/** Puts the environment's secrets into the process-wide redaction registry (core/redact.ts). */
export function registerEnvironmentSecrets(source: NodeJS.ProcessEnv = process.env): void {
  registerSecrets(secretValuesFromEnv(source));
}
