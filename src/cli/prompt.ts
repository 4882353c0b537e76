import { createInterface } from 'node:readline/promises';
import { redact } from '../core/redact.js';

/** Asks a yes/no question on the terminal (stderr, so stdout stays clean); only "y"/"yes" is yes. */
export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(redact(question));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
