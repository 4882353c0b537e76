import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ATLAS_BIN = fileURLToPath(new URL('../../bin/atlas.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The binary's environment in tests: no inherited keys, only PATH, HOME, TZ=UTC and `extra` (undefined = unset). */
export function binaryEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * Runs the real `atlas` binary (bin/atlas.js -> dist/; test/support/globalSetup.ts rebuilds a stale dist/ before the run) in a
 * child process with a controlled environment: no inherited keys, an explicit data dir.
 */
export function runAtlas(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {}): Promise<CliResult> {
  const env = binaryEnv(options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ATLAS_BIN, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
