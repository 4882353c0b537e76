/**
 * @module The one way the CLI writes a file for the user (HTML report, CSV exports): scrubbed by
 * `redact()` like everything else that leaves the process, and atomic (a temp file in the same
 * folder, then rename), so a reader never sees half a report and a failure leaves no torn file.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { redact } from '../core/redact.js';

export function writeUserFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, redact(text));
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
