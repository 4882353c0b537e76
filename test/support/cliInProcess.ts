/**
 * Runs an atlas command in this process through the real command parser (`main` ->
 * buildProgram), capturing stdout and stderr: the fast path for CLI tests. A few smoke tests
 * still run the real binary (test/support/cli.ts): exit on signals, stdin, crash safety and
 * several processes at once need a real process.
 */
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { clearRegisteredSecrets } from '../../src/core/redact.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessOptions {
  /** Working directory for the run (./.atlas, .env and relative paths resolve from it). */
  cwd?: string;
  /** Environment variables set for the run only (undefined = unset); everything is restored after. */
  env?: Record<string, string | undefined>;
}

/**
 * Like a fresh process: the run's environment (and whatever its .env file loads) and working
 * directory are undone afterwards, and the secrets it registered for redaction are forgotten.
 * Runs must not overlap (vitest runs a file's tests one at a time).
 */
export async function atlasInProcess(args: string[], options: InProcessOptions = {}): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const io: Output = {
    out: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    note: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    isTTY: false,
  };
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await main(['node', 'atlas', ...args], io);
    return { code, stdout, stderr };
  } finally {
    if (options.cwd) process.chdir(savedCwd);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    clearRegisteredSecrets();
  }
}
