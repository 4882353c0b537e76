/**
 * Runs an atlas command in this process through the real command parser (`main` ->
 * buildProgram), capturing stdout and stderr: the fast path for CLI tests. A few smoke tests
 * still run the real binary (test/support/cli.ts).
 */
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function atlasInProcess(args: string[]): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const io: Output = {
    out: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    note: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    isTTY: false,
  };
  const code = await main(['node', 'atlas', ...args], io);
  return { code, stdout, stderr };
}
