/**
 * @module The alert journal: one JSON line per delivery attempt outcome, appended and fsynced to
 * `alerts.jsonl` in the data directory. `atlas status` and the dashboard read it; it holds the
 * redacted title only, never a message body or a channel's address.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const ALERT_JOURNAL_FILE = 'alerts.jsonl';

export interface AlertJournalEntry {
  at: string;
  kind: string;
  severity: string;
  title: string;
  channel: string;
  outcome: 'delivered' | 'failed' | 'folded';
  attempts: number;
  error?: string;
}

export interface AlertJournal {
  append(entry: AlertJournalEntry): void;
}

export class FileAlertJournal implements AlertJournal {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, ALERT_JOURNAL_FILE);
  }

  append(entry: AlertJournalEntry): void {
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** The newest `limit` entries, oldest first; torn or foreign lines are skipped. */
export function readAlertJournal(dir: string, limit = 100): AlertJournalEntry[] {
  const path = join(dir, ALERT_JOURNAL_FILE);
  if (!existsSync(path)) return [];
  const out: AlertJournalEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line) as AlertJournalEntry;
      if (typeof v.at === 'string' && typeof v.channel === 'string') out.push(v);
    } catch {
      // a line torn by a crash damages only itself
    }
  }
  return out.slice(-limit);
}
